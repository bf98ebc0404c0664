/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c - ctr, the system-container front end: global options, dispatch
 * and error printing. Errors are one line on stderr, "ctr: VERB NAME: ...",
 * and the exit codes are stable for scripts:
 *   0 success, 1 runtime error, 2 usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_store.h"
#include "verbs.h"
#include "error.h"
#include "opts.h"

/* The system-container verbs (create, start, stop, exec, console, list,
 * ...) register here as they land. */
static const struct verb verbs[] = {
    {"create", cmd_create, "make a container from a template, an image or a directory"},
    {"start", cmd_start, "boot a container (--foreground, --all-autostart)"},
    {"stop", cmd_stop, "halt a container, SIGKILL after --timeout"},
    {"restart", cmd_restart, "stop, then start"},
    {"destroy", cmd_destroy, "remove a container and its files (--force if running)"},
    {"list", cmd_list, "containers with state, pid, image"},
    {"info", cmd_info, "one container: state, resource use, config"},
    {"update", cmd_update, "change limits.* in the config and the running container"},
    {"exec", cmd_exec, "run a command in a running container"},
    {"console", cmd_console, "attach to a container's console (detach: Ctrl-a q)"},
    {"wait", cmd_wait, "until a container stopped, or booted (--booted; --timeout S)"},
    {"checkpoint", cmd_checkpoint, "dump a running container with CRIU (--leave-running, --pre-dump)"},
    {"restore", cmd_restore, "bring a checkpointed container back"},
    {"migrate", cmd_migrate, "move a running container to another host (--to ssh://host)"},
    {"receive", cmd_receive, "the target half of migrate: a container from a stream on stdin"},
    {"clone", cmd_clone, "copy a stopped container, copy-on-write (SRC DST)"},
    {"image", cmd_image, "images of the store: list, import FILE [NAME], rm NAME"},
    {"snapshot", cmd_snapshot, "snapshots of a stopped container: [create], list, restore, rm"},
    {"template", cmd_template, "list the templates create -t can use"},
    {"net", cli_net, "leases: list leased addresses; prune: free what destroyed containers left"},
    {NULL, NULL, NULL},
};

enum { G_STORE, G_RUN_ROOT, G_FORMAT, G_QUIET, G_HELP, G_VERSION };

static const struct opt_def global_opts[] = {
    {"store", 0, true, G_STORE, "persistent store (default " STORE_DEFAULT_ROOT ", or $CTR_ROOT)"},
    {"run-root", 0, true, G_RUN_ROOT,
     "state of running containers (default " CLI_RUNTIME_ROOT ", or $CTR_RUN_ROOT)"},
    {"format", 0, true, G_FORMAT, "output: table (default) or json"},
    {"quiet", 'q', false, G_QUIET, "no progress output"},
    {"help", 'h', false, G_HELP, "show this help"},
    {"version", 'v', false, G_VERSION, "print the version"},
    {NULL, 0, false, 0, NULL},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ctr [global options] COMMAND [options] NAME ...\n\n"
		   "System containers: a whole distribution booting its own init.\n\n"
		   "Commands:\n");
	for (const struct verb *v = verbs; v->name; v++)
		fprintf(f, "  %-10s %s\n", v->name, v->help);
	if (!verbs[0].name)
		fprintf(f, "  (none yet in this build; ctr-oci runs OCI bundles)\n");
	fprintf(f, "\nGlobal options:\n");
	opts_print_help(global_opts, f);
}

static int global_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct ctr_globals *g = data;

	switch (id) {
	case G_STORE:
		g->store_root = value;
		break;
	case G_RUN_ROOT:
		g->run_root = value;
		break;
	case G_FORMAT:
		return cli_parse_format(value, &g->format, err);
	case G_QUIET:
		g->quiet = true;
		break;
	case G_HELP:
		usage(stdout);
		exit(EXIT_OK);
	case G_VERSION:
		printf("ctr version %s\n", PACKAGE_VERSION);
		exit(EXIT_OK);
	default:
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ctr_globals g = {
	    .store_root = getenv("CTR_ROOT") ? getenv("CTR_ROOT") : STORE_DEFAULT_ROOT,
	    .run_root = getenv("CTR_RUN_ROOT") ? getenv("CTR_RUN_ROOT") : CLI_RUNTIME_ROOT,
	};
	struct ctr_error err = CTR_ERROR_INIT;
	const struct verb *v;
	int first, ret;

	first = opts_parse(global_opts, argc - 1, argv + 1, global_option, &g, &err);
	if (first < 0) {
		fprintf(stderr, "ctr: %s\n", err.msg);
		return EXIT_USAGE;
	}
	first++;
	if (first >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (v = verbs; v->name; v++)
		if (strcmp(v->name, argv[first]) == 0)
			break;
	if (!v->name) {
		fprintf(stderr, "ctr: unknown command '%s' (see ctr --help)\n", argv[first]);
		return EXIT_USAGE;
	}
	ret = v->fn(&g, argc - first - 1, argv + first + 1, &err);
	if (ret < 0) {
		fprintf(stderr, "ctr: %s %s\n", argv[first], err.msg);
		return EXIT_ERROR;
	}
	return ret;
}
