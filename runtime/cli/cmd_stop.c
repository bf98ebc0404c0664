/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_stop.c - `ctr stop NAME [--timeout S] [--kill]`, `ctr restart NAME`
 * and `ctr destroy NAME [--force]`.
 *
 * stop sends the config's halt signal (halt.signal, SIGRTMIN+3 by default)
 * to init, SIGKILL to everything in the container after the timeout
 * (stop.timeout, 30 s by default), and returns once the runtime state is
 * gone. An init that ignores the halt signal costs the whole timeout.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "netns/net.h"
#include "opts.h"
#include "util.h"
#include "verbs.h"

enum { T_TIMEOUT, T_KILL, T_FORCE };

static const struct opt_def stop_table[] = {
    {"timeout", 't', true, T_TIMEOUT,
     "seconds before SIGKILL (default: the config's stop.timeout)"},
    {"kill", 'k', false, T_KILL, "SIGKILL at once"},
    {NULL, 0, false, 0, NULL},
};

static const struct opt_def destroy_table[] = {
    {"force", 'f', false, T_FORCE, "stop a running container first"},
    {NULL, 0, false, 0, NULL},
};

struct stop_args {
	bool has_timeout, kill, force;
	uint64_t timeout;
};

static int stop_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct stop_args *a = data;

	switch (id) {
	case T_TIMEOUT:
		if (parse_u64(value, &a->timeout) < 0 || a->timeout > 86400)
			return ctr_error(err, EINVAL, "--timeout: not a number of seconds: '%s'",
					 value);
		a->has_timeout = true;
		break;
	case T_KILL:
		a->kill = true;
		break;
	case T_FORCE:
		a->force = true;
		break;
	default:
		break;
	}
	return 0;
}

static int stop_container(struct cli_ctx *c, const char *name, const struct stop_args *a,
			  struct ctr_error *err)
{
	struct native_config *cfg = NULL;
	unsigned int timeout;
	int sig, ret;

	ret = cli_load_config(c, name, &cfg, NULL, err);
	if (ret < 0)
		return ret;
	sig = native_halt_signal(cfg);
	timeout = a->has_timeout ? (unsigned int)a->timeout : native_stop_timeout(cfg);
	native_config_free(cfg);
	if (!cli_is_live(cli_status(c, name, NULL)))
		return cli_clean_stale(c, name, err);
	if (!a->kill) {
		ret = container_kill(&c->rt, name, sig, false, err);
		if (ret == 0)
			ret = cli_wait_stopped(c, name, (int)timeout * 1000, err);
		if (ret != -ETIMEDOUT && ret != -ESRCH && ret != -ENOENT)
			return ret;
		ctr_error_clear(err);
	}
	ret = container_kill(&c->rt, name, SIGKILL, true, err);
	if (ret < 0 && cli_is_live(cli_status(c, name, NULL)))
		return ret;
	ctr_error_clear(err);
	return cli_wait_stopped(c, name, 10000, err);
}

static int open_one(struct ctr_globals *g, const struct opt_def *table, int argc, char **argv,
		    struct stop_args *a, struct cli_ctx *c, const char **name,
		    struct ctr_error *err)
{
	int ret = cli_parse_name(table, argc, argv, stop_option, a, name, err);

	if (ret < 0 || (ret = cli_ctx_open(g, c, true, err)) < 0)
		return ret;
	return cli_check_exists(c, *name, err);
}

int cmd_stop(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	if (cli_help("stop NAME [--timeout SECONDS] [--kill]", stop_table, argc, argv))
		return 0;

	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	struct stop_args a = {0};
	const char *name;
	int ret = open_one(g, stop_table, argc, argv, &a, &c, &name, err);

	return ret < 0 ? ret : stop_container(&c, name, &a, err);
}

int cmd_restart(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	if (cli_help("restart NAME [--timeout SECONDS] [--kill]", stop_table, argc, argv))
		return 0;

	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	struct stop_args a = {0};
	const char *name;
	int ret = open_one(g, stop_table, argc, argv, &a, &c, &name, err);

	if (ret == 0)
		ret = stop_container(&c, name, &a, err);
	return ret < 0 ? ret : cli_start_container(&c, name, err);
}

int cli_destroy_stopped(struct cli_ctx *c, const char *name, struct ctr_error *err)
{
	int ret = store_container_destroy(&c->st, name, err);

	/* Its addresses go with it; a lease left by a failure here is freed
	 * by the next start on the bridge (the container no longer exists). */
	if (ret == 0)
		ret = net_release(c->st.root, name, err);
	return ret < 0 ? ret : cli_userns_release(c, name, err);
}

int cmd_destroy(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	if (cli_help("destroy NAME [--force]", destroy_table, argc, argv))
		return 0;

	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	struct stop_args a = {0};
	const char *name;
	int ret = open_one(g, destroy_table, argc, argv, &a, &c, &name, err);

	if (ret < 0)
		return ret;
	if (cli_is_live(cli_status(&c, name, NULL))) {
		if (!a.force)
			return ctr_error(err, EBUSY,
					 "container '%s' is running (stop it, or --force)", name);
		a.kill = true;
		ret = stop_container(&c, name, &a, err);
	} else {
		ret = cli_clean_stale(&c, name, err);
	}
	return ret < 0 ? ret : cli_destroy_stopped(&c, name, err);
}
