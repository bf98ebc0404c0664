/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * args.h - a verb's options wherever they stand among its arguments
 * (`ctr image import f.tar web --kind rootfs`), for verbs whose arguments
 * are never commands (opts_parse stops at the first positional so that
 * `exec NAME ls -la` works; these verbs want the opposite).
 */
#ifndef CTR_CLI_ARGS_H
#define CTR_CLI_ARGS_H

#include "opts.h"
#include "rootfs/store.h"

/* Options anywhere, handled by handler; the other words, in order, into
 * *positional (NULL-terminated, malloc'd; the strings are argv's). After a
 * lone "--" every word is positional. Returns their count or -errno. */
int cli_args_parse(const struct opt_def *defs, int argc, char **argv, opt_handler handler,
		   void *data, char ***positional, struct ctr_error *err);
/* The same, but a lone "--" ends the parse: *rest is the index of the word
 * after it (argc without one), for verbs that pass what follows on (exec's
 * command, create's template options). */
int cli_args_parse_until(const struct opt_def *defs, int argc, char **argv, opt_handler handler,
			 void *data, char ***positional, int *rest, struct ctr_error *err);

/* "expected N arguments"-style check: -EINVAL with usage in the message
 * when n is outside [min, max]. */
int cli_args_count(int n, int min, int max, const char *usage, struct ctr_error *err);

/* "auto"/"rootfs"/"image" -> kind (ctr image import --kind, ctr-unpack). */
int cli_parse_archive_kind(const char *s, enum store_archive_kind *kind, struct ctr_error *err);

#endif
