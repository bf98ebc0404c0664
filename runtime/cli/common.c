/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common.c - opening the stores and parsing what every verb shares. */
#include <errno.h>
#include <string.h>

#include "cli.h"

int cli_store_open(const struct ctr_globals *g, struct store *st, struct ctr_error *err)
{
	return store_open(g->store_root, true, st, err);
}

int cli_runtime_open(const struct ctr_globals *g, struct ctr_runtime *rt, struct ctr_error *err)
{
	*rt = (struct ctr_runtime){.cgroup_parent = CLI_CGROUP_PARENT};
	return state_store_open(g->run_root, true, &rt->store, err);
}

int cli_parse_format(const char *s, enum cli_format *out, struct ctr_error *err)
{
	if (strcmp(s, "table") == 0)
		*out = CLI_FORMAT_TABLE;
	else if (strcmp(s, "json") == 0)
		*out = CLI_FORMAT_JSON;
	else
		return ctr_error(err, EINVAL, "invalid format '%s' (table or json)", s);
	return 0;
}
