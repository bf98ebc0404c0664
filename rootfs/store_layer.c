/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store_layer.c - read-only layers: their chains, who stands on them, and
 * removing the ones nobody reaches.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "store_internal.h"
#include "util.h"

static bool layer_id_valid(const char *id)
{
	if (strlen(id) != STORE_ID_LEN)
		return false;
	return strspn(id, "0123456789abcdef") == STORE_ID_LEN;
}

int store_layer_chain(struct store *st, const char *top, char ***chain, struct ctr_error *err)
{
	_cleanup_strv_ char **list = xcalloc(1, sizeof(char *));
	_cleanup_free_ char *id = top ? xstrdup(top) : NULL;

	while (id) {
		_cleanup_free_ char *path = NULL;
		json_object *meta = NULL;
		const char *parent;
		int ret;

		if (!layer_id_valid(id))
			return ctr_error(err, EINVAL, "invalid layer id '%.32s'", id);
		/* A loop would be a corrupt store; the depth cap catches it. */
		if (strv_len(list) > 4 * STORE_LAYERS_MAX)
			return ctr_error(err, ELOOP, "layer chain of %s is too deep", top);
		strv_append(&list, id);
		path = xasprintf("layers/%s/meta.json", id);
		ret = store_json_read(st->dirfd, path, &meta, err);
		if (ret < 0)
			return ctr_error_prefix(err, "layer %s", id);
		parent = store_json_string(meta, "parent");
		free(id);
		id = parent ? xstrdup(parent) : NULL;
		json_object_put(meta);
	}
	*chain = steal_ptr(list);
	return 0;
}

int store_stage_layer(struct store_tmp *tmp, const char *parent, const char *source,
		      char id[STORE_ID_LEN + 1], struct ctr_error *err)
{
	json_object *meta = json_object_new_object();
	_cleanup_free_ char *created = rfc3339_now();
	int ret;

	store_new_id(id);
	if (mkdirat(tmp->fd, "layer", 0700) < 0) {
		json_object_put(meta);
		return ctr_errno(err, "create %s/layer", tmp->path);
	}
	if (parent)
		json_object_object_add(meta, "parent", json_object_new_string(parent));
	json_object_object_add(meta, "created", json_object_new_string(created));
	json_object_object_add(meta, "source", json_object_new_string(source ? source : ""));
	ret = store_json_write(tmp->fd, "layer/meta.json", meta, err);
	json_object_put(meta);
	return ret;
}

int store_stage_dir_as_layer(struct store_tmp *tmp, const char *dir, const char *source,
			     char id[STORE_ID_LEN + 1], struct ctr_error *err)
{
	int ret = store_stage_layer(tmp, NULL, source, id, err);

	if (ret < 0)
		return ret;
	if (renameat(AT_FDCWD, dir, tmp->fd, "layer/root") < 0) {
		if (errno == EXDEV)
			return ctr_error(err, EXDEV,
					 "%s is not on the store's filesystem: fill a staging "
					 "directory of the store instead",
					 dir);
		return ctr_errno(err, "move %s into the store", dir);
	}
	return 0;
}

/* ---- references ---- */

static int refs_of_kind(struct store *st, const char *kind, const char *label, const char *suffix,
			store_ref_fn fn, void *data, struct ctr_error *err);

static int ref_from_meta(struct store *st, const char *path, const char *who, store_ref_fn fn,
			 void *data, struct ctr_error *err)
{
	json_object *meta = NULL;
	const char *layer;
	int ret = store_json_read(st->dirfd, path, &meta, err);

	if (ret == -ENOENT) {
		ctr_error_clear(err);
		return 0;
	}
	if (ret < 0)
		return ret;
	layer = store_json_string(meta, "layer");
	ret = layer ? fn(who, layer, data) : 0;
	json_object_put(meta);
	return ret;
}

static int refs_of_snapshots(struct store *st, const char *name, store_ref_fn fn, void *data,
			     struct ctr_error *err)
{
	_cleanup_free_ char *dir = xasprintf("containers/%s/snapshots", name);
	_cleanup_free_ char *suffix = xasprintf(" of container '%s'", name);

	return refs_of_kind(st, dir, "snapshot", suffix, fn, data, err);
}

static int refs_of_kind(struct store *st, const char *kind, const char *label, const char *suffix,
			store_ref_fn fn, void *data, struct ctr_error *err)
{
	_cleanup_strv_ char **names = NULL;
	int ret = store_list_dir(st, kind, &names, err);

	for (size_t i = 0; ret == 0 && names[i]; i++) {
		_cleanup_free_ char *path = xasprintf("%s/%s/meta.json", kind, names[i]);
		_cleanup_free_ char *who = xasprintf("%s '%s'%s", label, names[i], suffix);

		ret = ref_from_meta(st, path, who, fn, data, err);
		if (ret == 0 && strcmp(kind, "containers") == 0)
			ret = refs_of_snapshots(st, names[i], fn, data, err);
	}
	return ret;
}

int store_for_each_ref(struct store *st, store_ref_fn fn, void *data, struct ctr_error *err)
{
	int ret = refs_of_kind(st, "images", "image", "", fn, data, err);

	return ret ? ret : refs_of_kind(st, "containers", "container", "", fn, data, err);
}

/* ---- garbage ---- */

struct mark {
	struct store *st;
	char **reached;
	struct ctr_error *err;
};

static int mark_chain(const char *who, const char *top, void *data)
{
	struct mark *m = data;
	_cleanup_strv_ char **chain = NULL;
	int ret;

	(void)who;
	ret = store_layer_chain(m->st, top, &chain, m->err);
	for (size_t i = 0; ret == 0 && chain[i]; i++)
		strv_append(&m->reached, chain[i]);
	return ret;
}

static bool strv_contains(char **v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (strcmp(v[i], s) == 0)
			return true;
	}
	return false;
}

int store_layers_gc(struct store *st, struct ctr_error *err)
{
	_cleanup_strv_ char **layers = NULL;
	struct mark m = {st, xcalloc(1, sizeof(char *)), err};
	int ret = store_for_each_ref(st, mark_chain, &m, err);

	if (ret == 0)
		ret = store_list_dir(st, "layers", &layers, err);
	for (size_t i = 0; ret == 0 && layers[i]; i++) {
		_cleanup_free_ char *path = xasprintf("layers/%s", layers[i]);

		if (strv_contains(m.reached, layers[i]))
			continue;
		ret = store_remove_tree(st->dirfd, path);
		if (ret < 0)
			ctr_errnum(err, ret, "remove %s/%s", st->root, path);
	}
	strv_free(m.reached);
	return ret;
}
