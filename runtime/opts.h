/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * opts.h - the command-line option parser both front ends use: a table per
 * verb, GNU-style long options (--name value, --name=value), short ones
 * (-d, -p value), and option parsing that stops at the first positional
 * argument, so `exec ID ls -la` passes -la to ls (as runc does).
 */
#ifndef CTR_OPTS_H
#define CTR_OPTS_H

#include <stdbool.h>

#include "error.h"

struct opt_def {
	const char *name;   /* long name without dashes */
	char short_name;    /* 0 if none */
	bool takes_value;
	int id;             /* returned to the handler */
	const char *help;   /* one line; NULL hides the option */
};

/* Called for every option found; value is NULL for flags. Return <0 to
 * stop (err filled). */
typedef int (*opt_handler)(void *data, int id, const char *value, struct ctr_error *err);

/* Parse argv[0..argc) (argv[0] is the first word after the verb). Returns
 * the index of the first positional argument, or -errno. A lone "--" ends
 * the options and is skipped. Unknown options: "unknown option '--x'". */
int opts_parse(const struct opt_def *defs, int argc, char **argv, opt_handler handler, void *data,
	       struct ctr_error *err);

/* Print a table's help lines ("  -d, --detach   help") to a stream. */
void opts_print_help(const struct opt_def *defs, void *stream);

#endif
