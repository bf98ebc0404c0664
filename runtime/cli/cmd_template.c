/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_template.c - `ctr template list`: the templates ctr create -t finds. */
#include <errno.h>
#include <json-c/json.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "cmd_store.h"
#include "listing.h"
#include "templates.h"
#include "util.h"

static void print_templates(const struct ctr_globals *g, const struct cli_template *t, size_t n)
{
	static const char *const headers[] = {"NAME", "DESCRIPTION", "PATH"};
	json_object *arr = json_object_new_array();
	struct listing l;

	listing_init(&l, headers, ARRAY_SIZE(headers));
	for (size_t i = 0; i < n; i++) {
		const char *cells[] = {t[i].name, t[i].description, t[i].path};
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(t[i].name));
		json_object_object_add(o, "description",
				       json_object_new_string(t[i].description ?: ""));
		json_object_object_add(o, "path", json_object_new_string(t[i].path));
		json_object_array_add(arr, o);
		listing_add(&l, cells);
	}
	if (g->format == CLI_FORMAT_JSON)
		listing_print_json(arr, stdout);
	else
		listing_print(&l, stdout);
	listing_free(&l);
	json_object_put(arr);
}

static int format_option(void *data, int id, const char *value, struct ctr_error *err)
{
	(void)id;
	return cli_parse_format(value, &((struct ctr_globals *)data)->format, err);
}

int cmd_template(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	static const struct opt_def defs[] = {
	    {"format", 0, true, 0, "table (default) or json"},
	    {NULL, 0, false, 0, NULL},
	};
	_cleanup_free_ char **pos = NULL;
	struct cli_template *list = NULL;
	size_t n = 0;
	int npos = cli_args_parse(defs, argc, argv, format_option, g, &pos, err);
	int ret;

	if (npos >= 0 && (npos != 1 || (strcmp(pos[0], "list") && strcmp(pos[0], "ls"))))
		npos = ctr_error(err, EINVAL, "usage: ctr template list [--format table|json]");
	if (npos < 0)
		return npos;
	ret = cli_template_list(&list, &n, err);
	if (ret == 0)
		print_templates(g, list, n);
	cli_template_list_free(list, n);
	return ret;
}
