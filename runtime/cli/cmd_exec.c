/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_exec.c - `ctr exec NAME [-t] [--user U[:G]] [--env K=V]... [--cwd D]
 * -- CMD...`: CMD runs in every namespace of the container, its cgroup,
 * with init's capabilities, seccomp profile and environment (--env adds or
 * replaces), and ctr exits with CMD's exit status. -t gives CMD a pty,
 * relayed to this terminal.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "verbs.h"

enum { E_TTY, E_USER, E_ENV, E_CWD };

static const struct opt_def exec_table[] = {
    {"tty", 't', false, E_TTY, "allocate a pty for the command"},
    {"user", 'u', true, E_USER, "UID[:GID] to run as (default: init's)"},
    {"env", 'e', true, E_ENV, "KEY=VALUE in the command's environment (repeatable)"},
    {"cwd", 'w', true, E_CWD, "working directory (absolute)"},
    {NULL, 0, false, 0, NULL},
};

struct exec_args {
	bool tty, has_user;
	uid_t uid;
	gid_t gid;
	char **env;
	const char *cwd;
};

static int parse_user(const char *s, struct exec_args *a, struct ctr_error *err)
{
	uint64_t uid, gid = 0;
	_cleanup_free_ char *u = xstrdup(s);
	char *colon = strchr(u, ':');

	if (colon)
		*colon = '\0';
	if (parse_u64(u, &uid) < 0 || uid > UINT32_MAX - 1 ||
	    (colon && (parse_u64(colon + 1, &gid) < 0 || gid > UINT32_MAX - 1)))
		return ctr_error(err, EINVAL, "--user: expected UID[:GID] (numbers), got '%s'", s);
	a->has_user = true;
	a->uid = (uid_t)uid;
	a->gid = (gid_t)(colon ? gid : uid);
	return 0;
}

static int exec_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct exec_args *a = data;

	switch (id) {
	case E_TTY:
		a->tty = true;
		break;
	case E_USER:
		return parse_user(value, a, err);
	case E_ENV:
		if (!strchr(value, '=') || value[0] == '=')
			return ctr_error(err, EINVAL, "--env: expected KEY=VALUE, got '%s'", value);
		strv_append(&a->env, value);
		break;
	case E_CWD:
		if (value[0] != '/')
			return ctr_error(err, EINVAL, "--cwd %s: must be an absolute path", value);
		a->cwd = value;
		break;
	default:
		break;
	}
	return 0;
}

static void set_env(char ***env, const char *kv)
{
	size_t klen = strcspn(kv, "=") + 1;

	for (size_t i = 0; *env && (*env)[i]; i++) {
		if (strncmp((*env)[i], kv, klen) == 0) {
			free((*env)[i]);
			(*env)[i] = xstrdup(kv);
			return;
		}
	}
	strv_append(env, kv);
}

/* init's process with the command and the options on top. */
static void build_process(struct spec_process *p, const struct exec_args *a, char **cmd)
{
	strv_free(p->args);
	p->args = strv_dup(cmd);
	p->terminal = a->tty;
	if (a->has_user) {
		p->user.uid = a->uid;
		p->user.gid = a->gid;
	}
	for (size_t i = 0; a->env && a->env[i]; i++)
		set_env(&p->env, a->env[i]);
	if (a->cwd) {
		free(p->cwd);
		p->cwd = xstrdup(a->cwd);
	}
}

int cmd_exec(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	struct exec_args a = {0};
	struct spec *spec = NULL;
	struct cli_args args;
	int ret, code = 0;

	if (cli_help("exec NAME [-t] [--user UID[:GID]] [--env K=V]... [--cwd DIR] -- CMD...",
		     exec_table, argc, argv))
		return 0;
	ret = cli_parse(exec_table, argc, argv, exec_option, &a, &args, err);
	if (ret == 0 && args.n != 1)
		ret = ctr_error(err, EINVAL,
				args.n ? "unexpected argument '%s' (the command goes after --)"
				       : "missing container name",
				args.n ? args.pos[1] : "");
	if (ret == 0 && args.rest >= argc)
		ret = ctr_error(err, EINVAL, "missing command (ctr exec NAME -- CMD...)");
	if (ret == 0 && a.tty && !isatty(STDIN_FILENO))
		ret = ctr_error(err, EINVAL, "-t needs a terminal on stdin");
	if (ret == 0 && (ret = state_validate_id(args.pos[0], err)) == 0 &&
	    (ret = cli_ctx_open(g, &c, true, err)) == 0 &&
	    (ret = cli_check_exists(&c, args.pos[0], err)) == 0 &&
	    (ret = container_config(&c.rt, args.pos[0], &spec, err)) == 0) {
		struct exec_opts o = {.id = args.pos[0], .process = &spec->process, .new_session = true};

		build_process(&spec->process, &a, argv + args.rest);
		ret = container_exec(&c.rt, &o, &code, err);
	}
	if (ret == -ENOENT && args.n == 1 && c.st_open &&
	    store_container_exists(&c.st, args.pos[0]))
		ret = ctr_error(err, EINVAL, "container '%s' is not running", args.pos[0]);
	spec_free(spec);
	strv_free(a.env);
	return ret < 0 ? ret : code;
}
