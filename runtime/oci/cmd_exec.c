/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_exec.c - `exec`: the process comes from --process FILE, or from the
 * container's own process with args and flags laid over it (runc's rules).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "oci.h"
#include "opts.h"
#include "spec_oci.h"
#include "util.h"

enum { E_PROCESS, E_TTY, E_CONSOLE, E_DETACH, E_PID_FILE, E_CWD, E_ENV, E_USER, E_GIDS, E_CAP,
       E_NNP, E_PRESERVE, E_APPARMOR, E_LABEL, E_CGROUP, E_IGNORE_PAUSED };

static const struct opt_def exec_opts_table[] = {
	{"process", 'p', true, E_PROCESS, "JSON file with the process to run (runtime-spec)"},
	{"tty", 't', false, E_TTY, "allocate a terminal"},
	{"console-socket", 0, true, E_CONSOLE, "unix socket that receives the terminal master"},
	{"detach", 'd', false, E_DETACH, "return once the process started"},
	{"pid-file", 0, true, E_PID_FILE, "write the process's host pid here"},
	{"cwd", 0, true, E_CWD, "working directory inside the container"},
	{"env", 'e', true, E_ENV, "set an environment variable (KEY=VALUE), repeatable"},
	{"user", 'u', true, E_USER, "UID[:GID] to run as"},
	{"additional-gids", 'g', true, E_GIDS, "an additional group id, repeatable"},
	{"cap", 'c', true, E_CAP, "add a capability, repeatable"},
	{"no-new-privs", 0, false, E_NNP, "set no_new_privs"},
	{"preserve-fds", 0, true, E_PRESERVE, "pass fds 3 .. 3+N-1 to the process"},
	{"apparmor", 0, true, E_APPARMOR, NULL},
	{"process-label", 0, true, E_LABEL, NULL},
	{"cgroup", 0, true, E_CGROUP, NULL},
	{"ignore-paused", 0, false, E_IGNORE_PAUSED, NULL},
	{NULL, 0, false, 0, NULL},
};

struct exec_args {
	struct exec_opts o;
	const char *process_file;
	bool tty, nnp;
	const char *cwd, *user;
	char **env;
	gid_t *gids;
	size_t n_gids;
	uint64_t caps;
};

static int exec_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct exec_args *a = data;
	uint64_t n;
	int cap;

	switch (id) {
	case E_PROCESS: a->process_file = value; break;
	case E_TTY: a->tty = true; break;
	case E_CONSOLE: a->o.console_socket = value; break;
	case E_DETACH: a->o.detach = true; break;
	case E_PID_FILE: a->o.pid_file = value; break;
	case E_CWD: a->cwd = value; break;
	case E_ENV:
		if (!strchr(value, '='))
			return ctr_error(err, EINVAL, "--env: expected KEY=VALUE, not '%s'", value);
		strv_append(&a->env, value);
		break;
	case E_USER: a->user = value; break;
	case E_GIDS:
		if (parse_u64(value, &n) < 0 || n > UINT32_MAX)
			return ctr_error(err, EINVAL, "--additional-gids: not a group id: '%s'", value);
		a->gids = xrealloc(a->gids, (a->n_gids + 1) * sizeof(gid_t));
		a->gids[a->n_gids++] = (gid_t)n;
		break;
	case E_CAP:
		if ((cap = cap_from_name(value)) < 0)
			return ctr_error(err, EINVAL, "--cap: unknown capability '%s'", value);
		a->caps |= 1ULL << cap;
		break;
	case E_NNP: a->nnp = true; break;
	case E_PRESERVE:
		if (parse_u64(value, &n) < 0 || n > 65536)
			return ctr_error(err, EINVAL, "--preserve-fds: not a count: '%s'", value);
		a->o.preserve_fds = (unsigned int)n;
		break;
	default: break;
	}
	return 0;
}

static int parse_user(const char *s, struct spec_user *u, struct ctr_error *err)
{
	_cleanup_free_ char *copy = xstrdup(s);
	char *colon = strchr(copy, ':');
	uint64_t uid, gid = 0;

	if (colon)
		*colon = '\0';
	if (parse_u64(copy, &uid) < 0 || uid > UINT32_MAX ||
	    (colon && (parse_u64(colon + 1, &gid) < 0 || gid > UINT32_MAX)))
		return ctr_error(err, EINVAL, "--user: expected numeric UID[:GID], not '%s'", s);
	u->uid = (uid_t)uid;
	u->gid = (gid_t)gid;
	return 0;
}

/* KEY=VALUE entries of extra replace the same KEY in env, or are added. */
static void merge_env(char ***env, char **extra)
{
	for (size_t i = 0; extra && extra[i]; i++) {
		size_t klen = (size_t)(strchr(extra[i], '=') - extra[i]) + 1;
		bool replaced = false;

		for (size_t j = 0; *env && (*env)[j]; j++) {
			if (strncmp((*env)[j], extra[i], klen) == 0) {
				free((*env)[j]);
				(*env)[j] = xstrdup(extra[i]);
				replaced = true;
			}
		}
		if (!replaced)
			strv_append(env, extra[i]);
	}
}

static int overlay_flags(struct exec_args *a, int argc, char **argv, struct spec_process *p,
			 struct ctr_error *err)
{
	int ret;

	if (argc == 0)
		return ctr_error(err, EINVAL, "missing the command to run");
	strv_free(p->args);
	p->args = strv_dup(argv);
	p->terminal = a->tty;
	merge_env(&p->env, a->env);
	if (a->cwd) {
		free(p->cwd);
		p->cwd = xstrdup(a->cwd);
	}
	if (a->user && (ret = parse_user(a->user, &p->user, err)) < 0)
		return ret;
	if (a->n_gids) {
		free(p->user.additional_gids);
		p->user.additional_gids = steal_ptr(a->gids);
		p->user.n_additional_gids = a->n_gids;
	}
	p->caps.bounding |= a->caps;
	p->caps.effective |= a->caps;
	p->caps.permitted |= a->caps;
	p->no_new_privileges |= a->nnp;
	return 0;
}

static int load_process_file(const char *path, struct spec_process *p, struct ctr_error *err)
{
	_cleanup_free_ char *json = NULL;
	size_t len;
	int ret;

	ret = read_file_at(AT_FDCWD, path, &json, &len, err);
	if (ret < 0)
		return ret;
	spec_process_free(p);
	return spec_oci_parse_process(json, len, path, p, err);
}

int cmd_exec(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	struct exec_args a = {0};
	struct spec *spec = NULL;
	int first, ret, code = 0;

	first = opts_parse(exec_opts_table, argc, argv, exec_option, &a, err);
	ret = first < 0 ? first : 0;
	if (ret == 0 && first >= argc)
		ret = ctr_error(err, EINVAL, "missing container id");
	if (ret == 0 && (ret = oci_open_runtime(g, false, err)) == 0) {
		a.o.id = argv[first];
		ret = container_config(&g->rt, a.o.id, &spec, err);
	}
	if (ret == 0) {
		if (a.process_file)
			ret = load_process_file(a.process_file, &spec->process, err);
		else
			ret = overlay_flags(&a, argc - first - 1, argv + first + 1, &spec->process,
					    err);
	}
	if (ret == 0) {
		a.o.process = &spec->process;
		ret = container_exec(&g->rt, &a.o, &code, err);
	}
	spec_free(spec);
	strv_free(a.env);
	free(a.gids);
	return ret < 0 ? ret : code;
}
