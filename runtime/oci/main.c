/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c - ctr-oci: global options, logging, dispatch, error printing.
 * Errors go to stderr as one line, and with --log as runc-style lines
 * ({"level":"error","msg":...,"time":...} with --log-format json), which
 * containerd and podman show to their users.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <seccomp.h>

#include "log.h"
#include "oci.h"
#include "opts.h"
#include "selfprotect.h"
#include "util.h"

#define DEFAULT_ROOT          "/run/ctr-oci"
#define DEFAULT_CGROUP_PARENT "/ctr-oci"

static struct oci_globals globals = {.root = DEFAULT_ROOT, .cgroup_manager = "cgroupfs"};
static int log_fd = -1;

struct command {
	const char *name;
	oci_command_fn fn;
	bool enters_container; /* re-exec from a sealed copy first */
	const char *help;
};

static const struct command commands[] = {
	{"create", cmd_create, true, "create a container (its init waits for start)"},
	{"start", cmd_start, false, "start the user process of a created container"},
	{"run", cmd_run, false, "create and start a container"}, /* re-execs itself when needed */
	{"state", cmd_state, false, "print the state of a container as JSON"},
	{"kill", cmd_kill, false, "send a signal to the container's init (or all processes)"},
	{"delete", cmd_delete, false, "delete a container and everything it holds"},
	{"exec", cmd_exec, true, "run another process in a running container"},
	{"ps", cmd_ps, false, "list the processes of a container"},
	{"list", cmd_list, false, "list containers"},
	{"pause", cmd_pause, false, "freeze every process of a container"},
	{"resume", cmd_resume, false, "thaw a paused container"},
	{"events", cmd_events, false, "print a container's stats and OOM events as JSON"},
	{"update", cmd_update, false, "change the resource limits of a live container"},
	{"features", cmd_features, false, "print what this runtime supports as JSON"},
	{"spec", cmd_spec, false, "write a default config.json"},
	{"checkpoint", cmd_checkpoint, false, "checkpoint a running container with CRIU"},
	{"restore", cmd_restore, false, "restore a container from a CRIU checkpoint"},
	{NULL, NULL, false, NULL},
};

enum { G_ROOT, G_LOG, G_LOG_FORMAT, G_DEBUG, G_SYSTEMD, G_CGMGR, G_CRIU, G_ROOTLESS, G_HELP,
       G_VERSION };

static const struct opt_def global_opts[] = {
	{"root", 0, true, G_ROOT, "state directory (default " DEFAULT_ROOT ")"},
	{"log", 'l', true, G_LOG, "append errors (and debug messages) to this file"},
	{"log-format", 0, true, G_LOG_FORMAT, "text or json"},
	{"debug", 0, false, G_DEBUG, "log debug messages"},
	{"systemd-cgroup", 0, false, G_SYSTEMD, "use systemd for cgroups (needs systemd)"},
	{"cgroup-manager", 0, true, G_CGMGR, "cgroupfs (default) or disabled"},
	{"criu", 0, true, G_CRIU, "criu binary for checkpoint/restore (default: search)"},
	{"rootless", 0, true, G_ROOTLESS, NULL},
	{"help", 'h', false, G_HELP, "show this help"},
	{"version", 'v', false, G_VERSION, "print the version"},
	{NULL, 0, false, 0, NULL},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ctr-oci [global options] COMMAND [options] [ID] ...\n\n"
		   "An OCI runtime with runc's command line.\n\nCommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->help);
	fprintf(f, "\nGlobal options:\n");
	opts_print_help(global_opts, f);
}

static void print_version(void)
{
	const struct scmp_version *v = seccomp_version();

	printf("ctr-oci version %s\nspec: 1.2.0\nlibseccomp: %u.%u.%u\n", PACKAGE_VERSION, v->major,
	       v->minor, v->micro);
}

static const char *level_name(enum ctr_log_level l)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	return names[l];
}

static void write_log_line(enum ctr_log_level level, const char *msg)
{
	_cleanup_free_ char *now = NULL;
	_cleanup_free_ char *line = NULL;

	if (log_fd < 0)
		return;
	now = rfc3339_now();
	if (globals.log_json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "level", json_object_new_string(level_name(level)));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		json_object_object_add(o, "time", json_object_new_string(now));
		line = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		line = xasprintf("time=\"%s\" level=%s msg=\"%s\"\n", now, level_name(level), msg);
	}
	write_all(log_fd, line, strlen(line));
}

static void log_handler(enum ctr_log_level level, const char *msg)
{
	write_log_line(level, msg);
	if (level <= CTR_LOG_WARN && log_fd < 0)
		fprintf(stderr, "ctr-oci: %s: %s\n", level_name(level), msg);
}

static int global_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct oci_globals *g = data;

	switch (id) {
	case G_ROOT: g->root = value; break;
	case G_LOG: g->log_path = value; break;
	case G_LOG_FORMAT:
		if (strcmp(value, "json") && strcmp(value, "text"))
			return ctr_error(err, EINVAL, "--log-format: expected text or json, not '%s'", value);
		g->log_json = strcmp(value, "json") == 0;
		break;
	case G_DEBUG: g->debug = true; break;
	case G_SYSTEMD: g->systemd_cgroup = true; break;
	case G_CGMGR: g->cgroup_manager = value; break;
	case G_CRIU: g->criu = value; break;
	case G_HELP: usage(stdout); exit(0);
	case G_VERSION: print_version(); exit(0);
	default: break; /* accepted for compatibility, no effect */
	}
	return 0;
}

static int check_cgroup_manager(struct oci_globals *g, struct ctr_error *err)
{
	struct stat st;

	if (g->systemd_cgroup || strcmp(g->cgroup_manager, "systemd") == 0) {
		if (stat("/run/systemd/system", &st) != 0)
			return ctr_error(err, ENOTSUP,
					 "systemd cgroup manager requested, but systemd is not "
					 "running on this host (use --cgroup-manager cgroupfs)");
		return ctr_error(err, ENOTSUP, "the systemd cgroup manager is not supported yet");
	}
	if (strcmp(g->cgroup_manager, "disabled") == 0)
		g->rt.cgroups_disabled = true;
	else if (strcmp(g->cgroup_manager, "cgroupfs") != 0)
		return ctr_error(err, EINVAL, "--cgroup-manager: expected cgroupfs or disabled, not '%s'",
				 g->cgroup_manager);
	return 0;
}

int oci_open_runtime(struct oci_globals *g, bool create, struct ctr_error *err)
{
	/* The store is made on first use by any verb (like runc), so a verb on
	 * a missing id says "container does not exist", not "no such dir". */
	g->rt.cgroup_parent = DEFAULT_CGROUP_PARENT;
	return state_store_open(g->root, true, &g->rt.store, err);
}

int oci_one_id(int argc, char **argv, int first, const char **id, struct ctr_error *err)
{
	if (first >= argc)
		return ctr_error(err, EINVAL, "missing container id");
	if (argc - first > 1)
		return ctr_error(err, EINVAL, "unexpected argument '%s'", argv[first + 1]);
	*id = argv[first];
	return 0;
}

static int dispatch(int argc, char **argv, int first, struct ctr_error *err)
{
	const struct command *c;
	int ret;

	if (first >= argc) {
		usage(stderr);
		return ctr_error(err, EINVAL, "no command given");
	}
	for (c = commands; c->name; c++)
		if (strcmp(c->name, argv[first]) == 0)
			break;
	if (!c->name)
		return ctr_error(err, EINVAL, "unknown command '%s' (see ctr-oci --help)", argv[first]);
	if (c->enters_container && (ret = selfprotect_reexec(argv, err)) < 0)
		return ret;
	if ((ret = check_cgroup_manager(&globals, err)) < 0)
		return ret;
	ret = c->fn(&globals, argc - first - 1, argv + first + 1, err);
	if (ret < 0)
		ctr_error_prefix(err, "%s", c->name);
	return ret;
}

int main(int argc, char **argv)
{
	struct ctr_error err = CTR_ERROR_INIT;
	int first, ret;

	selfprotect_set_argv(argv);
	first = opts_parse(global_opts, argc - 1, argv + 1, global_option, &globals, &err);
	if (first >= 0 && globals.log_path) {
		log_fd = open(globals.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (log_fd < 0)
			fprintf(stderr, "ctr-oci: open log %s: %s\n", globals.log_path, strerror(errno));
	}
	ctr_log_set_handler(log_handler, globals.debug ? CTR_LOG_DEBUG : CTR_LOG_WARN);
	ret = first < 0 ? first : dispatch(argc, argv, first + 1, &err);
	if (ret < 0) {
		fprintf(stderr, "ctr-oci: %s\n", err.msg);
		write_log_line(CTR_LOG_ERROR, err.msg);
		return 1;
	}
	return ret;
}
