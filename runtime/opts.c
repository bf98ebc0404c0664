/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "opts.h"

static const struct opt_def *find_long(const struct opt_def *defs, const char *name, size_t len)
{
	for (; defs->name; defs++)
		if (strlen(defs->name) == len && strncmp(defs->name, name, len) == 0)
			return defs;
	return NULL;
}

static const struct opt_def *find_short(const struct opt_def *defs, char c)
{
	for (; defs->name; defs++)
		if (defs->short_name && defs->short_name == c)
			return defs;
	return NULL;
}

/* One "--name[=value]" word (and maybe the next as its value). Returns the
 * number of words used, or -errno. */
static int parse_long(const struct opt_def *defs, int argc, char **argv, int i,
		      opt_handler handler, void *data, struct ctr_error *err)
{
	const char *name = argv[i] + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct opt_def *d = find_long(defs, name, len);
	int ret;

	if (!d)
		return ctr_error(err, EINVAL, "unknown option '--%.*s'", (int)len, name);
	if (!d->takes_value) {
		/* urfave-style "--detach=true" is accepted for booleans. */
		if (eq && strcmp(eq + 1, "true") != 0)
			return strcmp(eq + 1, "false") == 0 ? 1
				: ctr_error(err, EINVAL, "option '--%s' takes no value", d->name);
		ret = handler(data, d->id, NULL, err);
		return ret < 0 ? ret : 1;
	}
	if (eq) {
		ret = handler(data, d->id, eq + 1, err);
		return ret < 0 ? ret : 1;
	}
	if (i + 1 >= argc)
		return ctr_error(err, EINVAL, "option '--%s' needs a value", d->name);
	ret = handler(data, d->id, argv[i + 1], err);
	return ret < 0 ? ret : 2;
}

/* A "-abc" cluster of short flags; the last may take a value. */
static int parse_short(const struct opt_def *defs, int argc, char **argv, int i,
		       opt_handler handler, void *data, struct ctr_error *err)
{
	for (const char *p = argv[i] + 1; *p; p++) {
		const struct opt_def *d = find_short(defs, *p);
		int ret;

		if (!d)
			return ctr_error(err, EINVAL, "unknown option '-%c'", *p);
		if (!d->takes_value) {
			ret = handler(data, d->id, NULL, err);
			if (ret < 0)
				return ret;
			continue;
		}
		if (p[1]) {
			ret = handler(data, d->id, p + 1, err);
			return ret < 0 ? ret : 1;
		}
		if (i + 1 >= argc)
			return ctr_error(err, EINVAL, "option '-%c' needs a value", *p);
		ret = handler(data, d->id, argv[i + 1], err);
		return ret < 0 ? ret : 2;
	}
	return 1;
}

int opts_parse(const struct opt_def *defs, int argc, char **argv, opt_handler handler, void *data,
	       struct ctr_error *err)
{
	int i = 0;

	while (i < argc) {
		const char *a = argv[i];
		int used;

		if (strcmp(a, "--") == 0)
			return i + 1;
		if (a[0] != '-' || a[1] == '\0')
			return i;
		if (a[1] == '-')
			used = parse_long(defs, argc, argv, i, handler, data, err);
		else
			used = parse_short(defs, argc, argv, i, handler, data, err);
		if (used < 0)
			return used;
		i += used;
	}
	return i;
}

void opts_print_help(const struct opt_def *defs, void *stream)
{
	FILE *f = stream;

	for (; defs->name; defs++) {
		char left[64];

		if (!defs->help)
			continue;
		if (defs->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s", defs->short_name, defs->name,
				 defs->takes_value ? " VALUE" : "");
		else
			snprintf(left, sizeof(left), "    --%s%s", defs->name,
				 defs->takes_value ? " VALUE" : "");
		fprintf(f, "  %-28s %s\n", left, defs->help);
	}
}
