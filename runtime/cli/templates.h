/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * templates.h - finding templates, the executables that fill a new
 * container's rootfs (interface: templates/busybox's header), and the
 * environment they run with. Shared by `ctr template list` and
 * `ctr create -t`.
 *
 * Search order, first match wins:
 *   1. each directory of $CTR_TEMPLATE_PATH (colon-separated)
 *   2. the installed $(pkgdatadir)/templates
 *   3. the source tree's templates/ when ctr runs from its build tree
 * A name with a '/' is a path to a template and is used as it is.
 * A template's description is its first "# description: ..." line.
 */
#ifndef CTR_CLI_TEMPLATES_H
#define CTR_CLI_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct cli_template {
	char *name;
	char *path;	   /* absolute */
	char *description; /* NULL when the script has none */
};

/* The directories searched, in order (NULL-terminated, malloc'd). */
char **cli_template_dirs(void);

/* The executable for name: -ENOENT "unknown template 'x' (ctr template list
 * shows the ones found)" when no directory has it. */
int cli_template_find(const char *name, char **path, struct ctr_error *err);

/* Every template found, each name once (the one that wins the search),
 * sorted by name. */
int cli_template_list(struct cli_template **list, size_t *n, struct ctr_error *err);
void cli_template_list_free(struct cli_template *list, size_t n);

/* The "# description:" line of the script at path, or NULL. */
char *cli_template_description(const char *path);

/* Put what templates read into the environment (call before running
 * one): CTR_UNPACK, the archive helper (ctr-unpack); CTR_QUIET=1 when
 * quiet, so a template's own progress stays off too. */
void cli_template_setenv(bool quiet);

/* Absolute path of one of ctr's helper programs (e.g. "ctr-unpack"):
 * next to ctr in its build tree, else in the installed libexec directory. */
char *cli_helper_path(const char *helper);

#endif
