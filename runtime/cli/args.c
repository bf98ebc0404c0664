/* SPDX-License-Identifier: GPL-2.0-or-later */
/* args.c - options anywhere among a verb's arguments. */
#include <errno.h>
#include <string.h>

#include "args.h"
#include "util.h"

int cli_args_parse_until(const struct opt_def *defs, int argc, char **argv, opt_handler handler,
			 void *data, char ***positional, int *rest, struct ctr_error *err)
{
	const char **out = xcalloc((size_t)argc + 1, sizeof(char *));
	int n = 0, i = 0;

	if (rest)
		*rest = argc;
	while (i < argc) {
		int used = opts_parse(defs, argc - i, argv + i, handler, data, err);

		if (used < 0) {
			free(out);
			return used;
		}
		i += used;
		if (used > 0 && strcmp(argv[i - 1], "--") == 0) {
			if (rest) {
				*rest = i;
				break;
			}
			while (i < argc)
				out[n++] = argv[i++];
		} else if (i < argc) {
			out[n++] = argv[i++];
		}
	}
	*positional = (char **)out;
	return n;
}

int cli_args_parse(const struct opt_def *defs, int argc, char **argv, opt_handler handler,
		   void *data, char ***positional, struct ctr_error *err)
{
	return cli_args_parse_until(defs, argc, argv, handler, data, positional, NULL, err);
}

int cli_args_count(int n, int min, int max, const char *usage, struct ctr_error *err)
{
	if (n < min || n > max)
		return ctr_error(err, EINVAL, "%s arguments (usage: %s)",
				 n < min ? "missing" : "too many", usage);
	return 0;
}

static const struct {
	const char *name;
	enum store_archive_kind kind;
} archive_kinds[] = {
    {"auto", STORE_ARCHIVE_AUTO},
    {"rootfs", STORE_ARCHIVE_ROOTFS},
    {"image", STORE_ARCHIVE_IMAGE},
};

int cli_parse_archive_kind(const char *s, enum store_archive_kind *kind, struct ctr_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(archive_kinds); i++) {
		if (strcmp(s, archive_kinds[i].name) == 0) {
			*kind = archive_kinds[i].kind;
			return 0;
		}
	}
	return ctr_error(err, EINVAL, "invalid kind '%s' (auto, rootfs or image)", s);
}
