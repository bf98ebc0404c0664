/* SPDX-License-Identifier: GPL-2.0-or-later */
/* template.h - locating and running a template program for `ctr create`. */
#ifndef CTR_CLI_TEMPLATE_H
#define CTR_CLI_TEMPLATE_H

#include "error.h"

/* The executable for a template name (or path): *path malloc'd.
 * -ENOENT: "unknown template 'x' ...". */
int template_find(const char *name, char **path, struct ctr_error *err);

/* Run it to fill rootfs (an empty directory) for container name; its
 * stdout comes back in *output (malloc'd), its stderr passes through.
 * A nonzero exit is an error naming the template and the status. */
int template_run(const char *path, const char *rootfs, const char *name, char *const *opts,
		 char **output, struct ctr_error *err);

#endif
