/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.h - what the files of `ctr` (runtime/cli/) share: the global options,
 * the verb table's entry type, and opening the two stores.
 *
 * Two stores (DESIGN.md): the persistent one (images, containers, configs;
 * /var/lib/ctr or --store/$CTR_ROOT) and the runtime one (/run/ctr: state of
 * running containers, same names). A verb opens what it needs, once.
 *
 * Verbs return 0 or the exit code to use (EXIT_*), or a negative errno with
 * err filled; main() prints "ctr: VERB: MESSAGE" and exits EXIT_ERROR.
 * Output for people goes to stdout; with --format json a verb prints one
 * JSON document instead. Nothing else prints on success unless stdout is a
 * terminal (progress).
 */
#ifndef CTR_CLI_H
#define CTR_CLI_H

#include <stdbool.h>

#include "error.h"
#include "lifecycle.h"
#include "rootfs/store.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_TIMEOUT = 3, /* wait/stop gave up at --timeout */
};

#define CLI_RUNTIME_ROOT  "/run/ctr"
#define CLI_CGROUP_PARENT "/ctr"

enum cli_format { CLI_FORMAT_TABLE, CLI_FORMAT_JSON };

struct ctr_globals {
	const char *store_root; /* --store, $CTR_ROOT, or STORE_DEFAULT_ROOT */
	const char *run_root;	/* --run-root, $CTR_RUN_ROOT, or CLI_RUNTIME_ROOT */
	enum cli_format format; /* --format table|json (global, or per verb) */
	bool quiet;		/* --quiet: no progress even on a terminal */
};

struct verb {
	const char *name;
	int (*fn)(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
	const char *help; /* one line for `ctr --help` */
};

/* Open the persistent store (created on first use). */
int cli_store_open(const struct ctr_globals *g, struct store *st, struct ctr_error *err);
/* Open the runtime store: state root g->run_root, cgroups under
 * CLI_CGROUP_PARENT. */
int cli_runtime_open(const struct ctr_globals *g, struct ctr_runtime *rt, struct ctr_error *err);

/* "table"/"json" -> format; -EINVAL with "invalid format 'x' (table or json)". */
int cli_parse_format(const char *s, enum cli_format *out, struct ctr_error *err);

/* ctr net leases|prune (net.c) */
int cli_net(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);

#endif
