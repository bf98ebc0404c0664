/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_native_keys.c - the keys of the native config, one table entry
 * each: how its value is read, how it is written back, one line of help.
 * Values are checked here, where the line is known; checks that span keys
 * are in config_native.c. Limits (limits.*) and interfaces (net.N.*) have
 * their own tables, in config_native_limits.c and config_native_net.c.
 */
#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "caps.h"
#include "config_native_internal.h"
#include "config_units.h"
#include "signals.h"
#include "util.h"

/* --- strings and paths ------------------------------------------------ */

/* A clean path without "..": absolute, or (relative_ok) relative. */
static int parse_path(struct native_parse *p, const char *v, bool relative_ok, char **out)
{
	_cleanup_free_ char *path = xstrdup(v);

	if (!relative_ok && path[0] != '/')
		return native_fail(p, "'%s' must be an absolute path", v);
	for (const char *s = path; (s = strstr(s, "..")); s += 2)
		if ((s == path || s[-1] == '/') && (s[2] == '/' || !s[2]))
			return native_fail(p, "'%s' must not contain '..'", v);
	for (const char *s = path; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return native_fail(p, "'%s' contains a control character", v);
	if (path[0] == '/')
		spec_clean_path(path);
	/* A blank at the end would not survive being written back. */
	if (path[strlen(path) - 1] == ' ')
		return native_fail(p, "'%s' must not end with a blank", v);
	free(*out);
	*out = steal_ptr(path);
	return 0;
}

static void format_string(FILE *out, const char *key, const char *value)
{
	if (value)
		native_put(out, key, "%s", value);
}

PARSE(rootfs)
{
	return parse_path(p, v, true, &p->c->rootfs);
}

FORMAT(rootfs)
{
	format_string(out, key, c->rootfs);
}

/* Image names become directory names in the store. */
PARSE(image)
{
	if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
		strlen(v) ||
	    v[0] == '.' || v[0] == '-' || strlen(v) > 128)
		return native_fail(p, "invalid image name '%s' (letters, digits, '.', '_', '-')",
				   v);
	p->c->image = xstrdup(v);
	return 0;
}

FORMAT(image)
{
	format_string(out, key, c->image);
}

/* Labels of letters, digits and '-', dot-separated (RFC 1123). */
static bool valid_hostname(const char *s)
{
	size_t label = 0, len = strlen(s);

	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char ch = s[i];

		if (ch == '.' || ch == '\0') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			   (ch >= '0' && ch <= '9') || (ch == '-' && label > 0)) {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

PARSE(hostname)
{
	if (!valid_hostname(v))
		return native_fail(p, "invalid hostname '%s'", v);
	p->c->hostname = xstrdup(v);
	return 0;
}

FORMAT(hostname)
{
	format_string(out, key, c->hostname);
}

PARSE(cwd)
{
	return parse_path(p, v, false, &p->c->cwd);
}

FORMAT(cwd)
{
	format_string(out, key, c->cwd);
}

PARSE(env)
{
	const char *eq = strchr(v, '=');

	if (!eq || eq == v || strcspn(v, " \t") < (size_t)(eq - v))
		return native_fail(p, "'%s' is not of the form KEY=VALUE", v);
	strv_append(&p->c->env, v);
	return 0;
}

FORMAT(env)
{
	for (size_t i = 0; c->env && c->env[i]; i++)
		native_put(out, key, "%s", c->env[i]);
}

/* --- init: a command line split like a shell would ------------------- */

/* One word from *s: quotes group, '...' is literal, "..." and a bare
 * backslash escape the next character. NULL at the end of the line. */
static int next_word(const char **s, char **word, struct native_parse *p)
{
	const char *in = *s;
	char *out, quote = 0;

	while (*in == ' ' || *in == '\t')
		in++;
	if (!*in) {
		*word = NULL;
		return 0;
	}
	out = *word = xmalloc(strlen(in) + 1);
	for (; *in && (quote || (*in != ' ' && *in != '\t')); in++) {
		if (quote && *in == quote)
			quote = 0;
		else if (!quote && (*in == '\'' || *in == '"'))
			quote = *in;
		else if (*in == '\\' && quote != '\'' && in[1])
			*out++ = *++in;
		else
			*out++ = *in;
	}
	*out = '\0';
	*s = in;
	if (quote) {
		free(steal_ptr(*word));
		return native_fail(p, "unterminated %c quote", quote);
	}
	return 0;
}

/* The whole value split into words (NULL when it has none). */
static int split_words(const char *v, char ***out, struct native_parse *p)
{
	_cleanup_strv_ char **argv = NULL;
	char *word;

	for (;;) {
		int r = next_word(&v, &word, p);

		if (r < 0)
			return r;
		if (!word)
			break;
		strv_append(&argv, word);
		free(word);
	}
	*out = steal_ptr(argv);
	return 0;
}

PARSE(init)
{
	char **argv = NULL;
	int r = split_words(v, &argv, p);

	if (r < 0)
		return r;
	strv_free(p->c->init);
	p->c->init = argv;
	return 0;
}

/* Quoted only when the word would not come back the same otherwise. */
static void put_word(FILE *out, const char *w)
{
	if (*w && !w[strcspn(w, " \t'\"\\")]) {
		fputs(w, out);
		return;
	}
	fputc('\'', out);
	for (; *w; w++) {
		if (*w == '\'')
			fputs("'\\''", out);
		else
			fputc(*w, out);
	}
	fputc('\'', out);
}

FORMAT(init)
{
	if (!c->init)
		return;
	fprintf(out, "%s = ", key);
	for (size_t i = 0; c->init[i]; i++) {
		if (i)
			fputc(' ', out);
		put_word(out, c->init[i]);
	}
	fputc('\n', out);
}

/* --- hook.*: commands around checkpoint and restore ------------------- */

static int parse_hook(struct native_parse *p, const char *v, enum native_hook_point at)
{
	struct native_hook_list *l = &p->c->hooks[at];
	_cleanup_strv_ char **argv = NULL;
	int r = split_words(v, &argv, p);

	if (r < 0)
		return r;
	if (!argv || argv[0][0] != '/')
		return native_fail(p, "expected the absolute path of an executable, not '%s'",
				   argv ? argv[0] : "");
	l->argv = xrealloc(l->argv, (l->n + 1) * sizeof(*l->argv));
	l->argv[l->n++] = steal_ptr(argv);
	return 0;
}

static void format_hook(FILE *out, const char *key, const struct native_hook_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		fprintf(out, "%s = ", key);
		for (size_t w = 0; l->argv[i][w]; w++) {
			if (w)
				fputc(' ', out);
			put_word(out, l->argv[i][w]);
		}
		fputc('\n', out);
	}
}

#define HOOK(name, point)                                                                          \
	PARSE(name)                                                                                \
	{                                                                                          \
		return parse_hook(p, v, point);                                                    \
	}                                                                                          \
	FORMAT(name)                                                                               \
	{                                                                                          \
		(void)n;                                                                           \
		format_hook(out, key, &c->hooks[point]);                                           \
	}

HOOK(pre_checkpoint, NATIVE_HOOK_PRE_CHECKPOINT)
HOOK(post_checkpoint, NATIVE_HOOK_POST_CHECKPOINT)
HOOK(pre_restore, NATIVE_HOOK_PRE_RESTORE)
HOOK(post_restore, NATIVE_HOOK_POST_RESTORE)

/* --- user ------------------------------------------------------------- */

static int parse_id(const char *s, uint32_t *out)
{
	uint64_t v;

	/* (uid_t)-1 means "unchanged" to setresuid; it is never a real id. */
	if (parse_u64(s, &v) < 0 || v >= UINT32_MAX || *s == ' ')
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

PARSE(user)
{
	_cleanup_free_ char *copy = xstrdup(v);
	char *colon = strchr(copy, ':');
	uint32_t uid, gid = 0;

	if (colon)
		*colon++ = '\0';
	if (parse_id(copy, &uid) < 0 || (colon && parse_id(colon, &gid) < 0))
		return native_fail(p, "expected UID or UID:GID (numbers), not '%s'", v);
	p->c->has_user = true;
	p->c->uid = uid;
	p->c->gid = gid;
	return 0;
}

FORMAT(user)
{
	if (c->has_user)
		native_put(out, key, "%u:%u", (unsigned int)c->uid, (unsigned int)c->gid);
}

/* --- mount: fstab's fields and escapes -------------------------------- */

/* Fields split at blanks; "\040" (any \ooo) is the byte it names. */
static size_t split_fields(char *s, char **fields, size_t max)
{
	size_t n = 0;

	while (*s) {
		char *out;

		s += strspn(s, " \t");
		if (!*s)
			break;
		if (n == max)
			return max + 1;
		fields[n++] = out = s;
		for (; *s && *s != ' ' && *s != '\t'; s++) {
			if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
			    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
				*out++ =
				    (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
				s += 3;
			} else {
				*out++ = *s;
			}
		}
		if (*s)
			s++;
		*out = '\0';
	}
	return n;
}

static void put_field(FILE *out, const char *f)
{
	for (; *f; f++) {
		if (*f == ' ' || *f == '\t' || *f == '\n' || *f == '\\')
			fprintf(out, "\\%03o", (unsigned char)*f);
		else
			fputc(*f, out);
	}
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static int check_mount(struct native_parse *p, struct native_mount *m)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct spec_mount sm;
	int r = native_mount_to_spec(m, &sm, &err);

	if (r < 0)
		return native_fail(p, "%s", err.msg);
	free(sm.destination);
	free(sm.source);
	free(sm.type);
	free(sm.data);
	return 0;
}

PARSE(mount)
{
	_cleanup_free_ char *copy = xstrdup(v), *dest = NULL;
	char *f[7];
	size_t n = split_fields(copy, f, 6);
	struct native_mount m = {0};
	int r;

	if (n < 3 || n > 6 || (n >= 5 && !all_digits(f[4])) || (n == 6 && !all_digits(f[5])))
		return native_fail(p, "expected SOURCE DEST TYPE [OPTIONS], not '%s'", v);
	dest = f[1][0] == '/' ? xstrdup(f[1]) : xasprintf("/%s", f[1]);
	r = parse_path(p, dest, false, &m.destination);
	if (r < 0)
		return r;
	m.source = xstrdup(f[0]);
	m.type = xstrdup(f[2]);
	m.options = n >= 4 ? xstrdup(f[3]) : NULL;
	r = check_mount(p, &m);
	if (r < 0) {
		native_mount_free(&m);
		return r;
	}
	p->c->mounts = xrealloc(p->c->mounts, (p->c->n_mounts + 1) * sizeof(m));
	p->c->mounts[p->c->n_mounts++] = m;
	return 0;
}

FORMAT(mount)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct native_mount *m = &c->mounts[i];

		fprintf(out, "%s = ", key);
		put_field(out, m->source);
		fputc(' ', out);
		put_field(out, m->destination);
		fputc(' ', out);
		put_field(out, m->type);
		if (m->options) {
			fputc(' ', out);
			put_field(out, m->options);
		}
		fputc('\n', out);
	}
}

/* --- identity and confinement ----------------------------------------- */

static const struct {
	const char *name;
	bool value;
} bool_words[] = {
    {"true", true}, {"false", false}, {"yes", true}, {"no", false},
    {"on", true},   {"off", false},   {"1", true},   {"0", false},
};

static int parse_bool(struct native_parse *p, const char *v, bool *out, bool *has)
{
	for (size_t i = 0; i < ARRAY_SIZE(bool_words); i++)
		if (strcmp(v, bool_words[i].name) == 0) {
			*out = bool_words[i].value;
			*has = true;
			return 0;
		}
	return native_fail(p, "expected true or false, not '%s'", v);
}

static void format_bool(FILE *out, const char *key, bool has, bool v)
{
	if (has)
		native_put(out, key, "%s", v ? "true" : "false");
}

static const char *const idmap_words[] = {
    [NATIVE_IDMAP_ISOLATED] = "isolated",
    [NATIVE_IDMAP_SHARED] = "shared",
    [NATIVE_IDMAP_NONE] = "none",
};

PARSE(idmap)
{
	for (size_t i = 0; i < ARRAY_SIZE(idmap_words); i++)
		if (strcmp(v, idmap_words[i]) == 0) {
			p->c->idmap = (enum native_idmap)i;
			p->c->has_idmap = true;
			return 0;
		}
	return native_fail(p, "expected isolated, shared or none, not '%s'", v);
}

FORMAT(idmap)
{
	if (c->has_idmap)
		native_put(out, key, "%s", idmap_words[c->idmap]);
}

/* A range of NATIVE_IDMAP_SIZE ids from here must fit in 32 bits. */
static int parse_idmap_base(struct native_parse *p, const char *v, uint32_t *out, bool *has)
{
	uint32_t id;

	if (parse_id(v, &id) < 0 || (uint64_t)id + NATIVE_IDMAP_SIZE > UINT32_MAX)
		return native_fail(p, "expected a host id below %u, not '%s'",
				   UINT32_MAX - NATIVE_IDMAP_SIZE, v);
	*out = id;
	*has = true;
	return 0;
}

PARSE(idmap_uid)
{
	return parse_idmap_base(p, v, &p->c->idmap_uid, &p->c->has_idmap_uid);
}

FORMAT(idmap_uid)
{
	if (c->has_idmap_uid)
		native_put(out, key, "%u", c->idmap_uid);
}

PARSE(idmap_gid)
{
	return parse_idmap_base(p, v, &p->c->idmap_gid, &p->c->has_idmap_gid);
}

FORMAT(idmap_gid)
{
	if (c->has_idmap_gid)
		native_put(out, key, "%u", c->idmap_gid);
}

PARSE(privileged)
{
	return parse_bool(p, v, &p->c->privileged, &p->c->has_privileged);
}

FORMAT(privileged)
{
	format_bool(out, key, c->has_privileged, c->privileged);
}

static uint64_t all_caps(void)
{
	return (UINT64_C(1) << (cap_table_last() + 1)) - 1;
}

/* Capability names separated by blanks or commas, with or without "cap_". */
static int parse_cap_names(struct native_parse *p, const char *v, uint64_t *mask)
{
	_cleanup_free_ char *copy = xstrdup(v);
	char *save = NULL;

	for (char *w = strtok_r(copy, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		int cap = cap_from_name(w);

		if (cap < 0)
			return native_fail(p, "unknown capability '%s'", w);
		*mask |= UINT64_C(1) << cap;
	}
	return 0;
}

PARSE(caps_keep)
{
	p->c->has_caps_keep = true;
	if (strcmp(v, "none") == 0)
		return 0;
	if (strcmp(v, "all") == 0) {
		p->c->caps_keep = all_caps();
		return 0;
	}
	return parse_cap_names(p, v, &p->c->caps_keep);
}

/* "chown sys_admin": lower case, without "cap_", as people write them. */
static void put_cap_names(FILE *out, uint64_t mask)
{
	bool first = true;

	for (int cap = 0; cap <= cap_table_last(); cap++) {
		if (!(mask & (UINT64_C(1) << cap)))
			continue;
		if (!first)
			fputc(' ', out);
		first = false;
		for (const char *s = cap_to_name(cap) + strlen("CAP_"); *s; s++)
			fputc(*s >= 'A' && *s <= 'Z' ? *s + ('a' - 'A') : *s, out);
	}
}

FORMAT(caps_keep)
{
	if (!c->has_caps_keep)
		return;
	fprintf(out, "%s = ", key);
	if (c->caps_keep == 0)
		fputs("none", out);
	else if (c->caps_keep == all_caps())
		fputs("all", out);
	else
		put_cap_names(out, c->caps_keep);
	fputc('\n', out);
}

PARSE(caps_drop)
{
	return parse_cap_names(p, v, &p->c->caps_drop);
}

FORMAT(caps_drop)
{
	if (!c->caps_drop)
		return;
	fprintf(out, "%s = ", key);
	put_cap_names(out, c->caps_drop);
	fputc('\n', out);
}

static const char *const seccomp_words[] = {
    [NATIVE_SECCOMP_DEFAULT] = "default",
    [NATIVE_SECCOMP_UNCONFINED] = "unconfined",
};

PARSE(seccomp)
{
	p->c->has_seccomp = true;
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_words); i++)
		if (strcmp(v, seccomp_words[i]) == 0) {
			p->c->seccomp = (enum native_seccomp)i;
			return 0;
		}
	if (v[0] != '/')
		return native_fail(p,
				   "expected default, unconfined or the absolute path of a "
				   "profile, not '%s'",
				   v);
	p->c->seccomp = NATIVE_SECCOMP_PROFILE;
	return parse_path(p, v, false, &p->c->seccomp_profile);
}

FORMAT(seccomp)
{
	if (!c->has_seccomp)
		return;
	if (c->seccomp == NATIVE_SECCOMP_PROFILE)
		native_put(out, key, "%s", c->seccomp_profile);
	else
		native_put(out, key, "%s", seccomp_words[c->seccomp]);
}

/* --- lifecycle ---------------------------------------------------------- */

static int parse_signal(struct native_parse *p, const char *v, int *out, bool *has)
{
	int sig = signal_parse(v);

	if (sig < 0)
		return native_fail(p, "unknown signal '%s'", v);
	*out = sig;
	*has = true;
	return 0;
}

static void format_signal(FILE *out, const char *key, bool has, int sig)
{
	if (has)
		native_put(out, key, "%s", signal_name(sig));
}

PARSE(halt_signal)
{
	return parse_signal(p, v, &p->c->halt_signal, &p->c->has_halt_signal);
}

FORMAT(halt_signal)
{
	format_signal(out, key, c->has_halt_signal, c->halt_signal);
}

PARSE(reboot_signal)
{
	return parse_signal(p, v, &p->c->reboot_signal, &p->c->has_reboot_signal);
}

FORMAT(reboot_signal)
{
	format_signal(out, key, c->has_reboot_signal, c->reboot_signal);
}

PARSE(stop_timeout)
{
	uint64_t secs;

	if (units_parse_duration(v, &secs) < 0)
		return native_fail(p, "invalid duration '%s' (e.g. 30, 30s or 2m)", v);
	p->c->stop_timeout = (unsigned int)secs;
	p->c->has_stop_timeout = true;
	return 0;
}

FORMAT(stop_timeout)
{
	if (c->has_stop_timeout)
		native_put(out, key, "%u", c->stop_timeout);
}

PARSE(autostart)
{
	return parse_bool(p, v, &p->c->autostart, &p->c->has_autostart);
}

FORMAT(autostart)
{
	format_bool(out, key, c->has_autostart, c->autostart);
}

#define KEY(name, fn, help)                                                                        \
	{                                                                                          \
		name, parse_##fn, format_##fn, false, 0, help                                      \
	}
#define LIST(name, fn, help)                                                                       \
	{                                                                                          \
		name, parse_##fn, format_##fn, true, 0, help                                       \
	}

const struct native_key native_keys[] = {
    KEY("rootfs", rootfs, "root directory (absolute, or relative to the container's directory)"),
    KEY("image", image, "image from the store the root is a copy-on-write layer of"),
    KEY("init", init, "command line of the container's init (default /sbin/init)"),
    KEY("hostname", hostname, "host name inside the container (default: its name)"),
    LIST("env", env, "KEY=VALUE in init's environment (repeatable)"),
    KEY("cwd", cwd, "working directory of init (default /)"),
    KEY("user", user, "UID[:GID] init runs as (default 0:0)"),
    LIST("mount", mount, "SOURCE DEST TYPE [OPTIONS], fstab-like (repeatable)"),
    KEY("idmap", idmap, "user namespace: isolated (default), shared or none"),
    KEY("idmap.uid", idmap_uid, "first host uid of the container's 65536 (set by ctr create)"),
    KEY("idmap.gid", idmap_gid, "first host gid of the container's 65536 (set by ctr create)"),
    KEY("privileged", privileged, "true: no user namespace, all capabilities, no masks"),
    LIST("capabilities.keep", caps_keep, "keep only these capabilities (or none, all)"),
    LIST("capabilities.drop", caps_drop, "capabilities to drop"),
    KEY("seccomp", seccomp, "default, unconfined, or the path of an OCI seccomp profile"),
    KEY("halt.signal", halt_signal, "signal that halts init (default SIGRTMIN+3)"),
    KEY("reboot.signal", reboot_signal, "signal that reboots init (default SIGINT)"),
    KEY("stop.timeout", stop_timeout, "seconds between the halt signal and SIGKILL (30)"),
    KEY("autostart", autostart, "start with `ctr start --all-autostart`"),
    LIST("hook.pre-checkpoint", pre_checkpoint,
	 "command run before a checkpoint (NAME STATE DIR appended); failing aborts it"),
    LIST("hook.post-checkpoint", post_checkpoint, "command run after a checkpoint"),
    LIST("hook.pre-restore", pre_restore, "command run before a restore; failing aborts it"),
    LIST("hook.post-restore", post_restore, "command run once a restored container runs"),
};

const size_t native_n_keys = ARRAY_SIZE(native_keys);
