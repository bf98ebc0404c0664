/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_checkpoint.c - checkpoint and restore with runc's flags (CRIU). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "oci.h"
#include "opts.h"
#include "spec_oci.h"
#include "util.h"

enum { C_IMAGE, C_WORK, C_LEAVE, C_TCP, C_UNIX, C_SHELL, C_LOCKS, C_PRE, C_PARENT, C_CGMODE,
       C_BUNDLE, C_DETACH, C_PID_FILE, C_CONSOLE, C_HELP, C_IGNORED_FLAG, C_IGNORED_VALUE };

#define COMMON_OPTS                                                                                \
	{"image-path", 0, true, C_IMAGE, "directory of the checkpoint images"},                   \
	    {"work-path", 0, true, C_WORK, "directory for criu's log (default: image path)"},     \
	    {"tcp-established", 0, false, C_TCP, "allow open TCP connections"},                    \
	    {"ext-unix-sk", 0, false, C_UNIX, "allow unix sockets with a peer outside"},          \
	    {"shell-job", 0, false, C_SHELL, "allow a shell job (session or tty from outside)"},  \
	    {"file-locks", 0, false, C_LOCKS, "handle file locks"},                               \
	    {"manage-cgroups-mode", 0, true, C_CGMODE, "none, props, soft (default), full, strict, ignore"}, \
	    {"lazy-pages", 0, false, C_IGNORED_FLAG, NULL},                                       \
	    {"auto-dedup", 0, false, C_IGNORED_FLAG, NULL},                                       \
	    {"lsm-profile", 0, true, C_IGNORED_VALUE, NULL},                                      \
	    {"lsm-mount-context", 0, true, C_IGNORED_VALUE, NULL},                                \
	    {"empty-ns", 0, true, C_IGNORED_VALUE, NULL},                                         \
	    {"help", 'h', false, C_HELP, "show this help"}

static const struct opt_def checkpoint_table[] = {
	COMMON_OPTS,
	{"leave-running", 0, false, C_LEAVE, "keep the container running after the dump"},
	{"pre-dump", 0, false, C_PRE, "dump memory only (for a later dump with --parent-path)"},
	{"parent-path", 0, true, C_PARENT, "a previous pre-dump, relative to --image-path"},
	{"page-server", 0, true, C_IGNORED_VALUE, NULL},
	{"status-fd", 0, true, C_IGNORED_VALUE, NULL},
	{NULL, 0, false, 0, NULL},
};

static const struct opt_def restore_table[] = {
	COMMON_OPTS,
	{"bundle", 'b', true, C_BUNDLE, "bundle directory (default: current directory)"},
	{"detach", 'd', false, C_DETACH, "return once the container runs"},
	{"pid-file", 0, true, C_PID_FILE, "write the restored init's host pid here"},
	{"console-socket", 0, true, C_CONSOLE, "unix socket that receives the terminal master"},
	{"no-subreaper", 0, false, C_IGNORED_FLAG, NULL},
	{"no-pivot", 0, false, C_IGNORED_FLAG, NULL},
	{NULL, 0, false, 0, NULL},
};

struct cr_args {
	const char *usage;
	const struct opt_def *table;
	struct criu_common_opts *c;
	struct checkpoint_opts *ck; /* checkpoint only */
	struct restore_opts *rs;    /* restore only */
	const char *bundle;
};

static int common_option(struct criu_common_opts *c, int id, const char *value,
			 struct ctr_error *err)
{
	switch (id) {
	case C_IMAGE: c->image_dir = value; break;
	case C_WORK: c->work_dir = value; break;
	case C_TCP: c->tcp_established = true; break;
	case C_UNIX: c->ext_unix_sk = true; break;
	case C_SHELL: c->shell_job = true; break;
	case C_LOCKS: c->file_locks = true; break;
	case C_CGMODE:
		c->manage_cgroups_mode = criu_cg_mode_parse(value);
		if (c->manage_cgroups_mode < 0)
			return ctr_error(err, EINVAL,
					 "--manage-cgroups-mode: expected none, props, soft, full, "
					 "strict or ignore, not '%s'",
					 value);
		break;
	default: break; /* accepted for compatibility, no effect */
	}
	return 0;
}

static int cr_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct cr_args *a = data;

	switch (id) {
	case C_LEAVE: a->ck->leave_running = true; return 0;
	case C_PRE: a->ck->pre_dump = true; return 0;
	case C_PARENT: a->ck->parent_dir = value; return 0;
	case C_BUNDLE: a->bundle = value; return 0;
	case C_DETACH: a->rs->detach = true; return 0;
	case C_PID_FILE: a->rs->create.pid_file = value; return 0;
	case C_CONSOLE: a->rs->create.console_socket = value; return 0;
	case C_HELP:
		/* podman asks `checkpoint --help` whether the runtime can. */
		printf("usage: ctr-oci %s\n\nOptions:\n", a->usage);
		opts_print_help(a->table, stdout);
		exit(0);
	default: return common_option(a->c, id, value, err);
	}
}

int cmd_checkpoint(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	struct checkpoint_opts o = {.c = {.manage_cgroups_mode = -1, .criu_path = g->criu}};
	struct cr_args a = {.usage = "checkpoint --image-path DIR [options] ID",
			    .table = checkpoint_table, .c = &o.c, .ck = &o};
	int first, ret;

	first = opts_parse(checkpoint_table, argc, argv, cr_option, &a, err);
	if (first < 0)
		return first;
	if ((ret = oci_one_id(argc, argv, first, &o.id, err)) < 0)
		return ret;
	if (!o.c.image_dir)
		return ctr_error(err, EINVAL, "--image-path is required");
	ret = oci_open_runtime(g, false, err);
	return ret < 0 ? ret : container_checkpoint(&g->rt, &o, err);
}

int cmd_restore(struct oci_globals *g, int argc, char **argv, struct ctr_error *err)
{
	struct restore_opts o = {.c = {.manage_cgroups_mode = -1, .criu_path = g->criu}};
	struct cr_args a = {.usage = "restore --image-path DIR [--bundle B] [options] ID",
			    .table = restore_table, .c = &o.c, .rs = &o};
	_cleanup_free_ char *json = NULL;
	size_t len = 0;
	int first, ret, code = 0;

	first = opts_parse(restore_table, argc, argv, cr_option, &a, err);
	if (first < 0)
		return first;
	if ((ret = oci_one_id(argc, argv, first, &o.create.id, err)) < 0)
		return ret;
	if (!o.c.image_dir)
		return ctr_error(err, EINVAL, "--image-path is required");
	ret = spec_oci_load_text(a.bundle ? a.bundle : ".", &o.create.spec, &json, &len, err);
	if (ret < 0)
		return ret;
	o.create.config_json = json;
	o.create.config_len = len;
	ret = oci_open_runtime(g, true, err);
	if (ret == 0)
		ret = container_restore(&g->rt, &o, &code, err);
	spec_free(o.create.spec);
	return ret < 0 ? ret : code;
}
