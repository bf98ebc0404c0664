/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_container.c - create, run, start, state, kill, delete, pause, resume. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "opts.h"
#include "selfprotect.h"
#include "signals.h"
#include "spec_oci.h"
#include "util.h"

enum { O_BUNDLE, O_PID_FILE, O_CONSOLE, O_PRESERVE, O_NO_PIVOT, O_NO_KEYRING, O_DETACH, O_KEEP,
       O_NO_SUBREAPER };

static const struct opt_def create_opts_table[] = {
	{"bundle", 'b', true, O_BUNDLE, "bundle directory (default: current directory)"},
	{"pid-file", 0, true, O_PID_FILE, "write the init's host pid here"},
	{"console-socket", 0, true, O_CONSOLE, "unix socket that receives the terminal master"},
	{"preserve-fds", 0, true, O_PRESERVE, "pass fds 3 .. 3+N-1 to the container"},
	{"no-pivot", 0, false, O_NO_PIVOT, "use chroot instead of pivot_root"},
	{"no-new-keyring", 0, false, O_NO_KEYRING, "keep the caller's session keyring"},
	{"detach", 'd', false, O_DETACH, "run: return once the container started"},
	{"keep", 0, false, O_KEEP, NULL},
	{"no-subreaper", 0, false, O_NO_SUBREAPER, NULL},
	{NULL, 0, false, 0, NULL},
};

struct create_args {
	const char *bundle;
	struct create_opts o;
	bool detach;
	bool is_run;
};

static int create_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct create_args *a = data;
	uint64_t n;

	switch (id) {
	case O_BUNDLE: a->bundle = value; break;
	case O_PID_FILE: a->o.pid_file = value; break;
	case O_CONSOLE: a->o.console_socket = value; break;
	case O_PRESERVE:
		if (parse_u64(value, &n) < 0 || n > 65536)
			return ctr_error(err, EINVAL, "--preserve-fds: not a count: '%s'", value);
		a->o.preserve_fds = (unsigned int)n;
		break;
	case O_NO_PIVOT: a->o.no_pivot = true; break;
	case O_NO_KEYRING: a->o.no_new_keyring = true; break;
	case O_DETACH:
		if (!a->is_run)
			return ctr_error(err, EINVAL, "unknown option '--detach'");
		a->detach = true;
		break;
	default: break;
	}
	return 0;
}

/* Parse options and config: nothing on the host changes before this
 * returns successfully. */
static int load_create_args(int argc, char **argv, struct create_args *a,
			    struct ctr_error *err)
{
	char *json = NULL;
	size_t len = 0;
	int first, ret;

	first = opts_parse(create_opts_table, argc, argv, create_option, a, err);
	if (first < 0)
		return first;
	if ((ret = oci_one_id(argc, argv, first, &a->o.id, err)) < 0 ||
	    (ret = state_validate_id(a->o.id, err)) < 0)
		return ret;
	ret = spec_oci_load_text(a->bundle ? a->bundle : ".", &a->o.spec, &json, &len, err);
	if (ret < 0)
		return ret;
	a->o.config_json = json;
	a->o.config_len = len;
	return 0;
}

static void free_create_args(struct create_args *a)
{
	spec_free(a->o.spec);
	free((char *)a->o.config_json);
}

int cmd_create(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	struct create_args a = {0};
	int ret;

	ret = load_create_args(argc, argv, &a, err);
	if (ret == 0 && (ret = oci_open_runtime(g, true, err)) == 0)
		ret = container_create(&g->rt, &a.o, err);
	free_create_args(&a);
	return ret;
}

static bool new_pid_namespace(const struct spec *spec)
{
	const struct spec_namespace *ns = spec_find_namespace(spec, CLONE_NEWPID);

	return ns && !ns->path;
}

int cmd_run(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	struct create_args a = {.is_run = true};
	int ret, code = 0;

	ret = load_create_args(argc, argv, &a, err);
	/* See selfprotect.h: only an init that others can see needs the copy. */
	if (ret == 0 && !new_pid_namespace(a.o.spec))
		ret = selfprotect_reexec(selfprotect_argv(), err);
	if (ret == 0 && (ret = oci_open_runtime(g, true, err)) == 0)
		ret = container_run(&g->rt, &a.o, a.detach, &code, err);
	free_create_args(&a);
	return ret < 0 ? ret : code;
}

/* Verbs that take only an id. */
static int id_only(struct oci_globals *g, int argc, char **argv, const char **id,
		   struct ctr_error *err)
{
	static const struct opt_def none[] = {{NULL, 0, false, 0, NULL}};
	int first = opts_parse(none, argc, argv, NULL, NULL, err);

	if (first < 0)
		return first;
	if ((first = oci_one_id(argc, argv, first, id, err)) < 0)
		return first;
	return oci_open_runtime(g, false, err);
}

int cmd_start(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	const char *id;
	int ret = id_only(g, argc, argv, &id, err);

	return ret < 0 ? ret : container_start(&g->rt, id, err);
}

int cmd_pause(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	const char *id;
	int ret = id_only(g, argc, argv, &id, err);

	return ret < 0 ? ret : container_pause(&g->rt, id, err);
}

int cmd_resume(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	const char *id;
	int ret = id_only(g, argc, argv, &id, err);

	return ret < 0 ? ret : container_resume(&g->rt, id, err);
}

int cmd_state(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	_cleanup_free_ char *json = NULL;
	const char *id;
	int ret = id_only(g, argc, argv, &id, err);

	if (ret == 0)
		ret = container_state_json(&g->rt, id, &json, err);
	if (ret == 0)
		printf("%s\n", json);
	return ret;
}

enum { K_ALL };
static const struct opt_def kill_opts[] = {
	{"all", 'a', false, K_ALL, "signal every process of the container"},
	{NULL, 0, false, 0, NULL},
};

static int kill_option(void *data, int id, const char *value, struct ctr_error *err)
{
	*(bool *)data = true;
	return 0;
}

int cmd_kill(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	bool all = false;
	int first, ret, sig = SIGTERM;

	first = opts_parse(kill_opts, argc, argv, kill_option, &all, err);
	if (first < 0)
		return first;
	if (first >= argc)
		return ctr_error(err, EINVAL, "missing container id");
	if (argc - first > 2)
		return ctr_error(err, EINVAL, "unexpected argument '%s'", argv[first + 2]);
	if (argc - first == 2 && (sig = signal_parse(argv[first + 1])) < 0)
		return ctr_error(err, EINVAL, "unknown signal '%s'", argv[first + 1]);
	ret = oci_open_runtime(g, false, err);
	return ret < 0 ? ret : container_kill(&g->rt, argv[first], sig, all, err);
}

enum { D_FORCE };
static const struct opt_def delete_opts[] = {
	{"force", 'f', false, D_FORCE, "kill a running container first; no error if missing"},
	{NULL, 0, false, 0, NULL},
};

int cmd_delete(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	bool force = false;
	const char *id;
	int first, ret;

	first = opts_parse(delete_opts, argc, argv, kill_option, &force, err);
	if (first < 0)
		return first;
	if ((ret = oci_one_id(argc, argv, first, &id, err)) < 0)
		return ret;
	ret = oci_open_runtime(g, false, err);
	return ret < 0 ? ret : container_delete(&g->rt, id, force, err);
}
