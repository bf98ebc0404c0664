/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_snapshot.c - `ctr snapshot`: named, constant-time records of a
 * stopped container's content, kept in the store next to it.
 *
 *   ctr snapshot [create] NAME [SNAP]   SNAP defaults to the first free snapN
 *   ctr snapshot list NAME [--format table|json]
 *   ctr snapshot restore NAME SNAP
 *   ctr snapshot rm NAME SNAP...
 *
 * list, restore and rm are words of the verb: a container called "list"
 * is snapshotted with `ctr snapshot create list`.
 */
#include <errno.h>
#include <json-c/json.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "cmd_store.h"
#include "listing.h"
#include "guards.h"
#include "util.h"

struct snap_cmd {
	struct ctr_globals *g;
	struct store *st;
	char **pos; /* after the subcommand word */
	int n;
};

static bool strv_has(char **v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* The first snapN the container does not have yet. */
static int next_snap_name(struct store *st, const char *name, char **out, struct ctr_error *err)
{
	_cleanup_strv_ char **snaps = NULL;
	int ret = store_snapshot_list(st, name, &snaps, err);

	for (unsigned int i = 0; ret == 0; i++) {
		_cleanup_free_ char *s = xasprintf("snap%u", i);
		if (!strv_has(snaps, s)) {
			*out = steal_ptr(s);
			return 0;
		}
	}
	return ret;
}

static int snap_create(struct snap_cmd *c, struct ctr_error *err)
{
	_cleanup_free_ char *snap = NULL;
	int ret = cli_args_count(c->n, 1, 2, "ctr snapshot [create] NAME [SNAP]", err);

	if (ret < 0)
		return ret;
	if (c->pos[1])
		snap = xstrdup(c->pos[1]);
	else if ((ret = next_snap_name(c->st, c->pos[0], &snap, err)) < 0)
		return ret;
	ret = store_snapshot_create(c->st, c->pos[0], snap, err);
	if (ret == 0 && !c->pos[1])
		printf("%s\n", snap); /* the name we chose: scripts need it */
	return ret;
}

static int snap_restore(struct snap_cmd *c, struct ctr_error *err)
{
	int ret = cli_args_count(c->n, 2, 2, "ctr snapshot restore NAME SNAP", err);

	return ret < 0 ? ret : store_snapshot_restore(c->st, c->pos[0], c->pos[1], err);
}

static int snap_rm(struct snap_cmd *c, struct ctr_error *err)
{
	int ret = cli_args_count(c->n, 2, c->n, "ctr snapshot rm NAME SNAP...", err);

	for (int i = 1; ret == 0 && i < c->n; i++)
		ret = store_snapshot_remove(c->st, c->pos[0], c->pos[i], err);
	return ret;
}

/* containers/NAME/snapshots/SNAP/meta.json's "created" (store.h's layout). */
static char *snap_created(struct store *st, const char *name, const char *snap)
{
	_cleanup_free_ char *rel = xasprintf("snapshots/%s/meta.json", snap);
	_cleanup_free_ char *path = store_container_path(st, name, rel);
	json_object *meta = json_object_from_file(path), *v;
	char *created = NULL;

	if (meta && json_object_object_get_ex(meta, "created", &v))
		created = xstrdup(json_object_get_string(v));
	json_object_put(meta);
	return created;
}

static int snap_list(struct snap_cmd *c, struct ctr_error *err)
{
	static const char *const headers[] = {"SNAPSHOT", "CREATED"};
	_cleanup_strv_ char **snaps = NULL;
	json_object *arr;
	struct listing l;
	int ret = cli_args_count(c->n, 1, 1, "ctr snapshot list NAME [--format table|json]", err);

	if (ret == 0)
		ret = store_snapshot_list(c->st, c->pos[0], &snaps, err);
	if (ret < 0)
		return ret;
	arr = json_object_new_array();
	listing_init(&l, headers, ARRAY_SIZE(headers));
	for (size_t i = 0; snaps[i]; i++) {
		_cleanup_free_ char *created = snap_created(c->st, c->pos[0], snaps[i]);
		char when[32];
		const char *cells[] = {snaps[i], listing_short_time(created, when, sizeof(when))};
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(snaps[i]));
		json_object_object_add(o, "created", json_object_new_string(created ?: ""));
		json_object_array_add(arr, o);
		listing_add(&l, cells);
	}
	if (c->g->format == CLI_FORMAT_JSON)
		listing_print_json(arr, stdout);
	else
		listing_print(&l, stdout);
	listing_free(&l);
	json_object_put(arr);
	return 0;
}

static const struct {
	const char *word;
	int (*fn)(struct snap_cmd *c, struct ctr_error *err);
	bool changes; /* needs the container stopped */
} subcommands[] = {
    {"create", snap_create, true},   {"list", snap_list, false}, {"ls", snap_list, false},
    {"restore", snap_restore, true}, {"rm", snap_rm, true},
};

static int format_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct ctr_globals *g = data;

	(void)id;
	return cli_parse_format(value, &g->format, err);
}

static int run_locked(struct snap_cmd *c, size_t sub, struct ctr_error *err)
{
	int ret = store_lock(c->st, subcommands[sub].changes, err);

	if (ret < 0)
		return ret;
	if (subcommands[sub].changes && c->n > 0)
		ret = cli_require_stopped(c->g, c->pos[0], err);
	if (ret == 0 && subcommands[sub].changes && c->n > 0)
		ret = cli_require_image_root(c->st, c->pos[0], err);
	if (ret == 0)
		ret = subcommands[sub].fn(c, err);
	store_unlock(c->st);
	return ret;
}

int cmd_snapshot(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	static const struct opt_def defs[] = {
	    {"format", 0, true, 0, "table (default) or json (list)"},
	    {NULL, 0, false, 0, NULL},
	};
	_cleanup_free_ char **pos = NULL;
	struct store st;
	struct snap_cmd c = {g, &st, NULL, 0};
	size_t sub = 0; /* create, unless the first word names another */
	int n = cli_args_parse(defs, argc, argv, format_option, g, &pos, err);
	int ret;

	if (n < 0)
		return n;
	for (size_t i = 0; n > 0 && i < ARRAY_SIZE(subcommands); i++)
		if (strcmp(pos[0], subcommands[i].word) == 0)
			sub = i;
	c.pos = pos + (sub || (n > 0 && !strcmp(pos[0], "create")) ? 1 : 0);
	c.n = n - (int)(c.pos - pos);
	ret = cli_store_open(g, &st, err);
	if (ret < 0)
		return ret;
	ret = run_locked(&c, sub, err);
	store_close(&st);
	return ret < 0 ? ctr_error_prefix(err, "%s", subcommands[sub].word) : ret;
}
