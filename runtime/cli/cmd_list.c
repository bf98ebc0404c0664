/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_list.c - `ctr list` and `ctr info NAME`, as a table for people or
 * (--format json) one JSON document for scripts. Runtime state whose init
 * is gone is cleaned on the way, so a listed state is a true one.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroups/cgroup.h"
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
};

static void row_load(struct cli_ctx *c, const char *name, struct row *r)
{
	struct ctr_error ignored = CTR_ERROR_INIT;

	memset(r, 0, sizeof(*r));
	r->name = name;
	r->status = cli_status(c, name, &r->pid);
	if (!cli_is_live(r->status) && cli_clean_stale(c, name, &ignored) == 0)
		r->status = STATUS_STOPPED;
	store_container_image(&c->st, name, &r->image, &ignored);
	ctr_error_clear(&ignored);
	if (cli_load_config(c, name, &r->cfg, NULL, &ignored) == 0)
		r->autostart = r->cfg->has_autostart && r->cfg->autostart;
}

static void row_free(struct row *r)
{
	free(r->image);
	native_config_free(r->cfg);
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
	fprintf(f, ",\"ips\":[],\"autostart\":%s}", r->autostart ? "true" : "false");
}

int cmd_list(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	_cleanup_strv_ char **names = NULL;
	int first = opts_parse(format_table, argc, argv, format_option, &g->format, err);
	int ret;

	if (first < 0)
		return first;
	if (first < argc)
		return ctr_error(err, EINVAL, "unexpected argument '%s'", argv[first]);
	if ((ret = cli_ctx_open(g, &c, true, err)) < 0 ||
	    (ret = store_container_list(&c.st, &names, err)) < 0)
		return ret;
	if (g->format == CLI_FORMAT_JSON)
		fputc('[', stdout);
	else
		printf("%-20s %-8s %-8s %-16s %-16s %s\n", "NAME", "STATE", "PID", "IMAGE", "IPS",
		       "AUTOSTART");
	for (size_t i = 0; names[i]; i++) {
		struct row r;

		row_load(&c, names[i], &r);
		if (g->format == CLI_FORMAT_JSON) {
			if (i)
				fputc(',', stdout);
			row_json(stdout, &r);
		} else {
			char pid[16] = "-";
			if (r.pid)
				snprintf(pid, sizeof(pid), "%d", (int)r.pid);
			printf("%-20s %-8s %-8s %-16s %-16s %s\n", r.name,
			       container_status_name(r.status), pid, r.image ? r.image : "-", "-",
			       r.autostart ? "yes" : "no");
		}
		row_free(&r);
	}
	if (g->format == CLI_FORMAT_JSON)
		fputs("]\n", stdout);
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

static void info_table(const struct row *r, const struct usage *u, const char *log,
		       const char *exit_code)
{
	const struct native_config *cfg = r->cfg;

	printf("Name:        %s\nState:       %s\n", r->name, container_status_name(r->status));
	if (r->pid)
		printf("PID:         %d\n", (int)r->pid);
	printf("Image:       %s\n", r->image ? r->image : "-");
	if (cfg) {
		printf("Init:        %s\n", cfg->init ? cfg->init[0] : NATIVE_DEFAULT_INIT);
		printf("Hostname:    %s\n", cfg->hostname ? cfg->hostname : r->name);
		printf("Halt signal: %s\n", signal_name(native_halt_signal(cfg)));
		printf("Autostart:   %s\n", r->autostart ? "yes" : "no");
		if (cfg->limits.has_memory)
			printf("Mem limit:   %" PRId64 "\n", cfg->limits.memory);
	}
	if (u->have) {
		printf("Memory use:  %" PRIu64 " bytes\n", u->s.memory.usage);
		printf("CPU use:     %.3f s\n", (double)u->s.cpu.total / 1e9);
		printf("Processes:   %" PRIu64 "\n", u->s.pids.current);
	}
	if (u->have_oom)
		printf("OOM kills:   %" PRIu64 "\n", u->oom);
	if (exit_code)
		printf("Last exit:   %s\n", exit_code);
	printf("Console log: %s\n", log);
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
	printf(",\"autostart\":%s,\"ips\":[]", r->autostart ? "true" : "false");
	if (cfg) {
		fputs(",\"init\":", stdout);
		cli_json_string(stdout, cfg->init ? cfg->init[0] : NATIVE_DEFAULT_INIT);
		fputs(",\"hostname\":", stdout);
		cli_json_string(stdout, cfg->hostname ? cfg->hostname : r->name);
		printf(",\"halt_signal\":\"%s\"", signal_name(native_halt_signal(cfg)));
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
	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	_cleanup_free_ char *log = NULL;
	_cleanup_free_ char *exit_code = NULL;
	const char *name;
	struct usage u;
	struct row r;
	int first = cli_parse_name(format_table, argc, argv, format_option, &g->format, &name, err);

	if (first < 0 || (first = cli_ctx_open(g, &c, true, err)) < 0 ||
	    (first = cli_check_exists(&c, name, err)) < 0)
		return first;
	row_load(&c, name, &r);
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
