/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_start.c - `ctr start NAME [--foreground]` and `ctr start
 * --all-autostart` (every container whose config says autostart = true, in
 * name order; each failure is reported, and their count is the exit code).
 */
#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "util.h"
#include "verbs.h"

enum { S_FOREGROUND, S_ALL_AUTOSTART };

static const struct opt_def start_table[] = {
    {"foreground", 'F', false, S_FOREGROUND, "init on this terminal; exit with its status"},
    {"all-autostart", 0, false, S_ALL_AUTOSTART, "start every container with autostart = true"},
    {NULL, 0, false, 0, NULL},
};

struct start_args {
	bool foreground, all_autostart;
};

static int start_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct start_args *a = data;

	(void)value;
	(void)err;
	if (id == S_FOREGROUND)
		a->foreground = true;
	else
		a->all_autostart = true;
	return 0;
}

static bool wants_autostart(struct cli_ctx *c, const char *name)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct native_config *cfg = NULL;
	bool yes;

	if (cli_load_config(c, name, &cfg, NULL, &ignored) < 0)
		return true; /* let start report what is wrong with it */
	yes = cfg->has_autostart && cfg->autostart;
	native_config_free(cfg);
	return yes;
}

static int start_all_autostart(struct cli_ctx *c, struct ctr_error *err)
{
	_cleanup_strv_ char **names = NULL;
	int failed = 0;
	int ret = store_container_list(&c->st, &names, err);

	if (ret < 0)
		return ret;
	for (size_t i = 0; names[i]; i++) {
		struct ctr_error e = CTR_ERROR_INIT;

		if (!wants_autostart(c, names[i]) || cli_is_live(cli_status(c, names[i], NULL)))
			continue;
		if (cli_start_container(c, names[i], &e) < 0) {
			fprintf(stderr, "ctr: start %s: %s\n", names[i], e.msg);
			failed++;
		}
	}
	return failed > 125 ? 125 : failed;
}

int cmd_start(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	struct start_args a = {0};
	const char *name = NULL;
	struct cli_args args;
	int ret;

	ret = cli_parse(start_table, argc, argv, start_option, &a, &args, err);
	if (ret < 0)
		return ret;
	if (a.all_autostart) {
		if (args.n || args.rest < argc || a.foreground)
			return ctr_error(err, EINVAL,
					 "--all-autostart takes no name and no --foreground");
		ret = cli_ctx_open(g, &c, true, err);
		return ret < 0 ? ret : start_all_autostart(&c, err);
	}
	ret = cli_parse_name(start_table, argc, argv, start_option, &a, &name, err);
	if (ret == 0)
		ret = cli_ctx_open(g, &c, true, err);
	if (ret < 0)
		return ret;
	if (a.foreground)
		return cli_run_foreground(&c, name, err);
	return cli_start_container(&c, name, err);
}
