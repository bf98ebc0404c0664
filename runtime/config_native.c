/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_native.c - reading and writing the native config: lines, keys
 * looked up in the tables (config_native_keys.c, config_native_limits.c,
 * config_native_net.c),
 * messages that name the line, a suggestion for a near-miss key, the checks
 * across keys once the file is read, and the writer that walks the same
 * tables.
 */
#include <signal.h>
#include <stdarg.h>
#include <string.h>

#include "config_native_internal.h"
#include "util.h"

/* The tables of keys that are not about an interface, in writing order. */
static const struct {
	const struct native_key *keys;
	const size_t *n;
} plain_tables[] = {
    {native_keys, &native_n_keys},
    {native_limit_keys, &native_n_limit_keys},
    {native_net_plain_keys, &native_n_net_plain_keys},
};

/* net.N.*: N from 0 to NATIVE_NET_INDEX_MAX. */
#define NATIVE_NET_INDEX_MAX 99

int native_fail(struct native_parse *p, const char *fmt, ...)
{
	char msg[1024], where[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->line)
		snprintf(where, sizeof(where), "%s:%u", p->origin, p->line);
	else
		snprintf(where, sizeof(where), "%s", p->origin);
	if (p->key)
		return ctr_error(p->err, EINVAL, "%s: %s: %s", where, p->key, msg);
	return ctr_error(p->err, EINVAL, "%s: %s", where, msg);
}

void native_at(struct native_parse *p, const char *key, unsigned int line)
{
	p->key = key;
	p->line = line;
}

unsigned int native_seen_line(const struct native_parse *p, const char *name, unsigned int net)
{
	for (size_t i = 0; i < p->n_seen; i++)
		if (strcmp(p->seen[i].key->name, name) == 0 && p->seen[i].net == net)
			return p->seen[i].line;
	return 0;
}

void native_put(FILE *out, const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(out, "%s = ", key);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

/* Optimal string alignment distance: edits, with a swap of two neighbours
 * counting as one ("memroy" is one edit from "memory"). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	_cleanup_free_ size_t *d = xcalloc((la + 1) * (lb + 1), sizeof(size_t));

#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = D(i - 1, j - 1) + cost;

			if (D(i - 1, j) + 1 < best)
				best = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < best)
				best = D(i, j - 1) + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    D(i - 2, j - 2) + 1 < best)
				best = D(i - 2, j - 2) + 1;
			D(i, j) = best;
		}
	return D(la, lb);
#undef D
}

/* "net.N.link" spelled for interface index (the one the user wrote). */
static void concrete_name(const struct native_key *k, bool net, unsigned int index, char *buf,
			  size_t len)
{
	if (net)
		snprintf(buf, len, "net.%u.%s", index, k->name + strlen("net.N."));
	else
		snprintf(buf, len, "%s", k->name);
}

struct suggestion {
	char name[128];
	size_t distance;
};

static void consider(struct suggestion *s, const char *key, const struct native_key *k, bool net,
		     unsigned int index)
{
	char name[128];
	const char *dot;
	size_t dist, limit;

	concrete_name(k, net, index, name, sizeof(name));
	dist = edit_distance(key, name);
	limit = strlen(name) > 5 ? 2 : 1;
	if (dist <= limit && dist < s->distance) {
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->distance = dist;
	}
	/* "memory" for "limits.memory": the last part alone. */
	dot = strrchr(name, '.');
	if (dot && strcmp(dot + 1, key) == 0 && s->distance > limit) {
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->distance = limit;
	}
}

static int unknown_key(struct native_parse *p, const char *key, unsigned int index)
{
	struct suggestion s = {.distance = (size_t)-1};

	for (size_t t = 0; t < ARRAY_SIZE(plain_tables); t++)
		for (size_t i = 0; i < *plain_tables[t].n; i++)
			consider(&s, key, &plain_tables[t].keys[i], false, 0);
	for (size_t i = 0; i < native_n_net_keys; i++)
		consider(&s, key, &native_net_keys[i], true, index);
	p->key = NULL;
	if (s.name[0])
		return native_fail(p, "unknown key '%s' (did you mean '%s'?)", key, s.name);
	return native_fail(p, "unknown key '%s'", key);
}

/* "net.12.link" -> index 12 and the table's "net.N.link"; -1 when the key
 * does not have that shape. */
static int split_net_key(const char *key, unsigned int *index, char *tmpl, size_t len)
{
	const char *s = key + strlen("net."), *dot;
	uint64_t v;
	char digits[8];

	if (!str_has_prefix(key, "net.") || !(dot = strchr(s, '.')) || dot == s ||
	    (size_t)(dot - s) >= sizeof(digits))
		return -1;
	memcpy(digits, s, (size_t)(dot - s));
	digits[dot - s] = '\0';
	if (digits[0] < '0' || digits[0] > '9' || parse_u64(digits, &v) < 0)
		return -1;
	*index = (unsigned int)v;
	snprintf(tmpl, len, "net.N.%s", dot + 1);
	/* "net.01" is not "net.1": one spelling per interface. */
	return (digits[0] == '0' && digits[1]) || v > NATIVE_NET_INDEX_MAX ? -2 : 0;
}

static const struct native_key *find_in(const struct native_key *table, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

static const struct native_key *find_plain(const char *name)
{
	const struct native_key *k = NULL;

	for (size_t t = 0; t < ARRAY_SIZE(plain_tables) && !k; t++)
		k = find_in(plain_tables[t].keys, *plain_tables[t].n, name);
	return k;
}

static int lookup_key(struct native_parse *p, const char *key, const struct native_key **k,
		      unsigned int *index)
{
	char tmpl[128];
	int r = split_net_key(key, index, tmpl, sizeof(tmpl));

	if (r == -2) {
		p->key = key;
		return native_fail(p, "interface number must be 0 to %d, without leading zeros",
				   NATIVE_NET_INDEX_MAX);
	}
	*k = r == 0 ? find_in(native_net_keys, native_n_net_keys, tmpl) : find_plain(key);
	if (!*k)
		return unknown_key(p, key, r == 0 ? *index : 0);
	if (r < 0)
		*index = 0;
	return 0;
}

static int note_seen(struct native_parse *p, const struct native_key *k, unsigned int index)
{
	unsigned int first = native_seen_line(p, k->name, index);

	if (first && !k->repeatable)
		return native_fail(p, "already set on line %u", first);
	p->seen = xrealloc(p->seen, (p->n_seen + 1) * sizeof(*p->seen));
	p->seen[p->n_seen++] = (struct native_seen){k, index, p->line};
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static int parse_line(struct native_parse *p, char *line)
{
	const struct native_key *k;
	unsigned int index = 0;
	char *eq, *key, *value;
	int r;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	p->key = NULL;
	eq = strchr(line, '=');
	if (!eq)
		return native_fail(p, "expected 'key = value'");
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (!*key)
		return native_fail(p, "expected a key before '='");
	r = lookup_key(p, key, &k, &index);
	if (r < 0)
		return r;
	p->key = key;
	if (!*value)
		return native_fail(p, "missing value");
	r = note_seen(p, k, index);
	if (r < 0)
		return r;
	p->net = k->net_types ? native_net_get(p->c, index) : NULL;
	return k->parse(p, value);
}

static int parse_lines(struct native_parse *p, const char *text, size_t len)
{
	_cleanup_free_ char *copy = NULL;
	char *line, *next;

	if (memchr(text, '\0', len))
		return native_fail(p, "contains a NUL byte");
	copy = xstrndup(text, len);
	for (line = copy; line; line = next) {
		int r;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p->line++;
		r = parse_line(p, line);
		if (r < 0)
			return r;
	}
	return 0;
}

static int check_root(struct native_parse *p)
{
	const struct native_config *c = p->c;
	unsigned int rootfs = native_seen_line(p, "rootfs", 0);
	unsigned int image = native_seen_line(p, "image", 0);

	if (c->rootfs && c->image) {
		if (image > rootfs) {
			native_at(p, "image", image);
			return native_fail(p, "conflicts with rootfs (line %u)", rootfs);
		}
		native_at(p, "rootfs", rootfs);
		return native_fail(p, "conflicts with image (line %u)", image);
	}
	if (!c->rootfs && !c->image) {
		native_at(p, NULL, 0);
		return native_fail(p, "one of 'rootfs' or 'image' is required");
	}
	return 0;
}

static const char *const idmap_names[] = {"isolated", "shared", "none"};

static int check_identity(struct native_parse *p)
{
	const struct native_config *c = p->c;

	if (c->privileged && c->has_idmap && c->idmap != NATIVE_IDMAP_NONE) {
		native_at(p, "privileged", native_seen_line(p, "privileged", 0));
		return native_fail(p, "conflicts with idmap = %s (line %u)", idmap_names[c->idmap],
				   native_seen_line(p, "idmap", 0));
	}
	return 0;
}

static int check_limits(struct native_parse *p)
{
	const struct native_limits *l = &p->c->limits;

	/* The spec counts swap as memory plus swap: a finite swap limit
	 * needs a finite memory limit to add to. */
	if (l->has_memory_swap && l->memory_swap >= 0 && (!l->has_memory || l->memory < 0)) {
		native_at(p, "limits.memory.swap", native_seen_line(p, "limits.memory.swap", 0));
		return native_fail(p, "needs limits.memory set to a size (not max)");
	}
	return 0;
}

static int check_config(struct native_parse *p)
{
	int r = check_root(p);

	if (r == 0)
		r = check_identity(p);
	if (r == 0)
		r = check_limits(p);
	if (r == 0)
		r = native_check_nets(p);
	return r;
}

int config_native_parse(const char *text, size_t len, const char *display_name,
			struct native_config **out, struct ctr_error *err)
{
	struct native_config *c = xzalloc(sizeof(*c));
	struct native_parse p = {.c = c, .err = err, .origin = display_name};
	int r;

	c->origin = xstrdup(display_name);
	r = parse_lines(&p, text, len);
	if (r == 0)
		r = check_config(&p);
	free(p.seen);
	if (r < 0) {
		native_config_free(c);
		return r;
	}
	*out = c;
	return 0;
}

void native_mount_free(struct native_mount *m)
{
	free(m->source);
	free(m->destination);
	free(m->type);
	free(m->options);
}

void native_config_free(struct native_config *c)
{
	if (!c)
		return;
	free(c->origin);
	free(c->rootfs);
	free(c->image);
	strv_free(c->init);
	free(c->hostname);
	strv_free(c->env);
	strv_free(c->dns);
	free(c->cwd);
	for (size_t i = 0; i < c->n_mounts; i++)
		native_mount_free(&c->mounts[i]);
	free(c->mounts);
	free(c->limits.cpuset);
	for (size_t i = 0; i < c->n_nets; i++)
		native_net_free(&c->nets[i]);
	free(c->nets);
	free(c->seccomp_profile);
	for (size_t h = 0; h < NATIVE_N_HOOK_POINTS; h++) {
		for (size_t i = 0; i < c->hooks[h].n; i++)
			strv_free(c->hooks[h].argv[i]);
		free(c->hooks[h].argv);
	}
	free(c);
}

static void format_nets(FILE *out, const struct native_config *c)
{
	char key[128];

	for (size_t i = 0; i < c->n_nets; i++)
		for (size_t j = 0; j < native_n_net_keys; j++) {
			concrete_name(&native_net_keys[j], true, c->nets[i].index, key,
				      sizeof(key));
			native_net_keys[j].format(out, key, c, &c->nets[i]);
		}
}

char *config_native_format(const struct native_config *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		abort(); /* only fails without memory, like the x-allocators */
	for (size_t t = 0; t < ARRAY_SIZE(plain_tables); t++)
		for (size_t i = 0; i < *plain_tables[t].n; i++)
			plain_tables[t].keys[i].format(out, plain_tables[t].keys[i].name, c, NULL);
	format_nets(out, c);
	fclose(out);
	return text;
}

int native_halt_signal(const struct native_config *c)
{
	/* systemd's "halt"; busybox init halts on SIGPWR, which the busybox
	 * template writes into the configs it creates. */
	return c->has_halt_signal ? c->halt_signal : SIGRTMIN + 3;
}

int native_reboot_signal(const struct native_config *c)
{
	/* Ctrl-Alt-Del: systemd reboots, busybox init runs its ctrlaltdel action. */
	return c->has_reboot_signal ? c->reboot_signal : SIGINT;
}

unsigned int native_stop_timeout(const struct native_config *c)
{
	return c->has_stop_timeout ? c->stop_timeout : NATIVE_DEFAULT_STOP_TIMEOUT;
}

const char *config_native_key(size_t i, const char **help)
{
	const struct native_key *k = NULL;

	for (size_t t = 0; t < ARRAY_SIZE(plain_tables) && !k; t++) {
		if (i < *plain_tables[t].n)
			k = &plain_tables[t].keys[i];
		else
			i -= *plain_tables[t].n;
	}
	if (!k && i < native_n_net_keys)
		k = &native_net_keys[i];
	if (!k)
		return NULL;
	if (help)
		*help = k->help;
	return k->name;
}
