/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_list.c - `ctr list` and `ctr info NAME`, as a table for people or
 * (--format json) one JSON document for scripts. Runtime state whose init
 * is gone is cleaned on the way, so a listed state is a true one.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cgroups/cgroup.h"
#include "netns/net.h"
#include "opts.h"
#include "signals.h"
#include "util.h"
#include "verbs.h"

static const struct opt_def format_table[] = {
    {"format", 'f', true, 0, "table (default) or json"},
    {NULL, 0, false, 0, NULL},
};

static int format_option(void *data, int id, const char *value, struct ctr_error *err)
{
	(void)id;
	return cli_parse_format(value, data, err);
}

/* What list and info show of one container. */
struct row {
	const char *name;
	enum container_status status;
	pid_t pid;
	char *image;
	bool autostart;
	struct native_config *cfg; /* NULL when the config does not parse */
	char **ips;		   /* while it runs: its IPv4 addresses */
};

/* The store's leases, read once per command. */
struct leases {
	struct net_lease *v;
	size_t n;
};

/* No lease file yet is no leases; list and info show what they can. */
static void leases_load(struct cli_ctx *c, struct leases *l)
{
	struct ctr_error ignored = CTR_ERROR_INIT;

	*l = (struct leases){0};
	if (net_list_leases(c->st.root, &l->v, &l->n, &ignored) < 0)
		*l = (struct leases){0};
}

static void add_ip(char ***ips, const char *addr)
{
	size_t n = 0;

	for (; *ips && (*ips)[n]; n++)
		if (strcmp((*ips)[n], addr) == 0)
			return;
	*ips = xrealloc(*ips, (n + 2) * sizeof(char *));
	(*ips)[n] = xstrdup(addr);
	(*ips)[n + 1] = NULL;
}

/* Leased addresses (bridged veths), then static ones the config names
 * (macvlan, or a veth outside any bridge pool). */
static void row_ips(struct row *r, const struct leases *l)
{
	char buf[INET_ADDRSTRLEN];

	if (!cli_is_live(r->status))
		return;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].container && strcmp(l->v[i].container, r->name) == 0)
			add_ip(&r->ips, l->v[i].address);
	for (size_t i = 0; r->cfg && i < r->cfg->n_nets; i++)
		if (r->cfg->nets[i].has_ipv4 &&
		    inet_ntop(AF_INET, &r->cfg->nets[i].ipv4, buf, sizeof(buf)))
			add_ip(&r->ips, buf);
}

static void ips_json(FILE *f, char **ips)
{
	fputc('[', f);
	for (size_t i = 0; ips && ips[i]; i++) {
		if (i)
			fputc(',', f);
		cli_json_string(f, ips[i]);
	}
	fputc(']', f);
}

/* "10.0.3.2,10.0.3.9", or "-"; malloc'd. */
static char *ips_text(char **ips)
{
	char *out = xstrdup(ips && ips[0] ? "" : "-");

	for (size_t i = 0; ips && ips[i]; i++) {
		char *joined = xasprintf("%s%s%s", out, i ? "," : "", ips[i]);
		free(out);
		out = joined;
	}
	return out;
}

static void row_load(struct cli_ctx *c, const char *name, const struct leases *l, struct row *r)
{
	struct ctr_error ignored = CTR_ERROR_INIT;

	memset(r, 0, sizeof(*r));
	r->name = name;
	r->status = cli_status(c, name, &r->pid);
	if (!cli_is_live(r->status) && cli_clean_stale(c, name, &ignored) == 0)
		r->status = STATUS_STOPPED;
	else if (cli_is_live(r->status))
		cli_net_unlock_stale(c, name);
	store_container_image(&c->st, name, &r->image, &ignored);
	ctr_error_clear(&ignored);
	if (cli_load_config(c, name, &r->cfg, NULL, &ignored) == 0)
		r->autostart = r->cfg->has_autostart && r->cfg->autostart;
	row_ips(r, l);
}

static void row_free(struct row *r)
{
	free(r->image);
	native_config_free(r->cfg);
	strv_free(r->ips);
}

static void row_json(FILE *f, const struct row *r)
{
	fputs("{\"name\":", f);
	cli_json_string(f, r->name);
	fprintf(f, ",\"state\":\"%s\",\"pid\":%d,\"image\":", container_status_name(r->status),
		(int)r->pid);
	if (r->image)
		cli_json_string(f, r->image);
	else
		fputs("null", f);
	fputs(",\"ips\":", f);
	ips_json(f, r->ips);
	fprintf(f, ",\"autostart\":%s}", r->autostart ? "true" : "false");
}

int cmd_list(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	if (cli_help("list [--format table|json]", format_table, argc, argv))
		return 0;

	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	_cleanup_strv_ char **names = NULL;
	struct leases l;
	int first = opts_parse(format_table, argc, argv, format_option, &g->format, err);
	int ret;

	if (first < 0)
		return first;
	if (first < argc)
		return ctr_error(err, EINVAL, "unexpected argument '%s'", argv[first]);
	if ((ret = cli_ctx_open(g, &c, true, err)) < 0 ||
	    (ret = store_container_list(&c.st, &names, err)) < 0)
		return ret;
	leases_load(&c, &l);
	if (g->format == CLI_FORMAT_JSON)
		fputc('[', stdout);
	else
		printf("%-20s %-8s %-8s %-16s %-16s %s\n", "NAME", "STATE", "PID", "IMAGE", "IPS",
		       "AUTOSTART");
	for (size_t i = 0; names[i]; i++) {
		struct row r;

		row_load(&c, names[i], &l, &r);
		if (g->format == CLI_FORMAT_JSON) {
			if (i)
				fputc(',', stdout);
			row_json(stdout, &r);
		} else {
			_cleanup_free_ char *ips = ips_text(r.ips);
			char pid[16] = "-";
			if (r.pid)
				snprintf(pid, sizeof(pid), "%d", (int)r.pid);
			printf("%-20s %-8s %-8s %-16s %-16s %s\n", r.name,
			       container_status_name(r.status), pid, r.image ? r.image : "-", ips,
			       r.autostart ? "yes" : "no");
		}
		row_free(&r);
	}
	if (g->format == CLI_FORMAT_JSON)
		fputs("]\n", stdout);
	net_leases_free(l.v, l.n);
	return 0;
}

/* Usage from the container's cgroup while it runs. */
struct usage {
	bool have;
	struct cg_stats s;
	bool have_oom;
	uint64_t oom;
};

static void usage_load(struct cli_ctx *c, const char *name, struct usage *u)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct container_info info;
	struct cg_handle *cg = NULL;

	memset(u, 0, sizeof(*u));
	if (container_info_get(&c->rt, name, &info, &ignored) < 0)
		return;
	if (cli_is_live(info.status) && info.state.cgroup_path &&
	    cg_open(info.state.cgroup_path, &cg, &ignored) == 0) {
		u->have = cg_stats(cg, &u->s, &ignored) == 0;
		u->have_oom = cg_oom_count(cg, &u->oom, &ignored) == 0;
		cg_free(cg);
	}
	container_info_free(&info);
}

static char *last_exit(struct cli_ctx *c, const char *name)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_free_ char *path = store_container_path(&c->st, name, CLI_EXIT_FILE);
	char *text = NULL;
	size_t len;

	if (read_file_at(AT_FDCWD, path, &text, &len, &ignored) < 0)
		return NULL;
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* One "Label:   value" line of info's table. */
__attribute__((format(printf, 2, 3))) static void field(const char *label, const char *fmt, ...)
{
	_cleanup_free_ char *l = xasprintf("%s:", label);
	va_list ap;

	printf("%-16s ", l);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The config's limits.* lines as the config writer spells them. */
static void for_each_limit(const struct native_config *cfg,
			   void (*fn)(const char *key, const char *value, void *data), void *data)
{
	_cleanup_free_ char *text = config_native_format(cfg);
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strstr(l, " = ");

		if (!str_has_prefix(l, "limits.") || !eq)
			continue;
		*eq = '\0';
		fn(l, eq + 3, data);
	}
}

static void print_limit_line(const char *key, const char *value, void *data)
{
	(void)data;
	field(key, "%s", value);
}

static void print_limit_json(const char *key, const char *value, void *data)
{
	bool *first = data;

	if (!*first)
		fputc(',', stdout);
	*first = false;
	cli_json_string(stdout, key + strlen("limits."));
	fputc(':', stdout);
	cli_json_string(stdout, value);
}

static void info_table(const struct row *r, const struct usage *u, const char *log,
		       const char *exit_code)
{
	const struct native_config *cfg = r->cfg;

	field("Name", "%s", r->name);
	field("State", "%s", container_status_name(r->status));
	if (r->pid)
		field("PID", "%d", (int)r->pid);
	field("Image", "%s", r->image ? r->image : "-");
	if (r->ips) {
		_cleanup_free_ char *ips = ips_text(r->ips);
		field("IPs", "%s", ips);
	}
	if (cfg) {
		field("Init", "%s", cfg->init ? cfg->init[0] : NATIVE_DEFAULT_INIT);
		field("Hostname", "%s", cfg->hostname ? cfg->hostname : r->name);
		field("Halt signal", "%s", signal_name(native_halt_signal(cfg)));
		field("Autostart", "%s", r->autostart ? "yes" : "no");
		for_each_limit(cfg, print_limit_line, NULL);
	}
	if (u->have) {
		field("Memory use", "%" PRIu64 " bytes", u->s.memory.usage);
		field("CPU use", "%.3f s", (double)u->s.cpu.total / 1e9);
		field("Processes", "%" PRIu64, u->s.pids.current);
	}
	if (u->have_oom)
		field("OOM kills", "%" PRIu64, u->oom);
	if (exit_code)
		field("Last exit", "%s", exit_code);
	field("Console log", "%s", log);
}

static void info_json(const struct row *r, const struct usage *u, const char *log,
		      const char *exit_code)
{
	const struct native_config *cfg = r->cfg;

	fputs("{\"name\":", stdout);
	cli_json_string(stdout, r->name);
	printf(",\"state\":\"%s\",\"pid\":%d,\"image\":", container_status_name(r->status),
	       (int)r->pid);
	if (r->image)
		cli_json_string(stdout, r->image);
	else
		fputs("null", stdout);
	printf(",\"autostart\":%s,\"ips\":", r->autostart ? "true" : "false");
	ips_json(stdout, r->ips);
	if (cfg) {
		fputs(",\"init\":", stdout);
		cli_json_string(stdout, cfg->init ? cfg->init[0] : NATIVE_DEFAULT_INIT);
		fputs(",\"hostname\":", stdout);
		cli_json_string(stdout, cfg->hostname ? cfg->hostname : r->name);
		printf(",\"halt_signal\":\"%s\",\"limits\":{",
		       signal_name(native_halt_signal(cfg)));
		bool first = true;
		for_each_limit(cfg, print_limit_json, &first);
		fputc('}', stdout);
	}
	if (u->have)
		printf(",\"memory\":{\"usage\":%" PRIu64 ",\"limit\":%" PRIu64
		       "},\"cpu\":{\"total_ns\":%" PRIu64 "},\"pids\":%" PRIu64,
		       u->s.memory.usage, u->s.memory.limit, u->s.cpu.total, u->s.pids.current);
	if (u->have_oom)
		printf(",\"oom_kills\":%" PRIu64, u->oom);
	if (exit_code)
		printf(",\"last_exit\":%s", exit_code);
	fputs(",\"console_log\":", stdout);
	cli_json_string(stdout, log);
	fputs("}\n", stdout);
}

int cmd_info(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	if (cli_help("info NAME [--format table|json]", format_table, argc, argv))
		return 0;

	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	_cleanup_free_ char *log = NULL;
	_cleanup_free_ char *exit_code = NULL;
	const char *name;
	struct usage u;
	struct row r;
	struct leases l;
	int first = cli_parse_name(format_table, argc, argv, format_option, &g->format, &name, err);

	if (first < 0 || (first = cli_ctx_open(g, &c, true, err)) < 0 ||
	    (first = cli_check_exists(&c, name, err)) < 0)
		return first;
	leases_load(&c, &l);
	row_load(&c, name, &l, &r);
	net_leases_free(l.v, l.n);
	usage_load(&c, name, &u);
	log = store_container_path(&c.st, name, "console.log");
	exit_code = last_exit(&c, name);
	if (g->format == CLI_FORMAT_JSON)
		info_json(&r, &u, log, exit_code);
	else
		info_table(&r, &u, log, exit_code);
	if (u.have)
		cg_stats_free(&u.s);
	row_free(&r);
	return 0;
}
