/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store_image.c - images: a name, metadata, and the top of a layer chain.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "store_internal.h"
#include "util.h"

#define TREE_DEPTH_MAX 256

static uint64_t tree_size(int dfd, int depth)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint64_t total = 0;
	struct dirent *de;
	DIR *dir;

	if (fd < 0 || depth > TREE_DEPTH_MAX || !(dir = fdopendir(fd))) {
		closep(&fd);
		return 0;
	}
	while ((de = readdir(dir))) {
		struct stat sb;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(sb.st_mode)) {
			total += (uint64_t)sb.st_size;
		} else if (S_ISDIR(sb.st_mode)) {
			_cleanup_close_ int sub = openat(
			    dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				total += tree_size(sub, depth + 1);
		}
	}
	closedir(dir);
	return total;
}

/* ---- image config <-> JSON ---- */

static json_object *strv_to_json(char **v)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static char **strv_from_json(json_object *obj, const char *key)
{
	json_object *a;
	char **v;

	if (!json_object_object_get_ex(obj, key, &a) || !json_object_is_type(a, json_type_array))
		return NULL;
	v = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *s = json_object_array_get_idx(a, i);
		if (json_object_is_type(s, json_type_string))
			strv_append(&v, json_object_get_string(s));
	}
	return v;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static json_object *config_to_json(const struct store_image_config *c)
{
	json_object *o = json_object_new_object();

	if (c->entrypoint)
		json_object_object_add(o, "entrypoint", strv_to_json(c->entrypoint));
	if (c->cmd)
		json_object_object_add(o, "cmd", strv_to_json(c->cmd));
	if (c->env)
		json_object_object_add(o, "env", strv_to_json(c->env));
	if (c->working_dir)
		json_object_object_add(o, "working_dir", json_object_new_string(c->working_dir));
	if (c->user)
		json_object_object_add(o, "user", json_object_new_string(c->user));
	return o;
}

static void config_from_json(json_object *o, struct store_image_config *c)
{
	c->entrypoint = strv_from_json(o, "entrypoint");
	c->cmd = strv_from_json(o, "cmd");
	c->env = strv_from_json(o, "env");
	c->working_dir = dup_or_null(store_json_string(o, "working_dir"));
	c->user = dup_or_null(store_json_string(o, "user"));
}

void store_image_config_free(struct store_image_config *c)
{
	strv_free(c->entrypoint);
	strv_free(c->cmd);
	strv_free(c->env);
	free(c->working_dir);
	free(c->user);
	*c = (struct store_image_config){0};
}

void store_image_info_free(struct store_image_info *info)
{
	free(info->name);
	free(info->created);
	free(info->source);
	free(info->template);
	free(info->layer);
	store_image_config_free(&info->config);
	*info = (struct store_image_info){0};
}

/* ---- creating ---- */

static int stage_image_meta(struct store_tmp *tmp, const char *layer, uint64_t size,
			    const struct store_image_opts *opts, struct ctr_error *err)
{
	static const struct store_image_config no_config;
	json_object *meta = json_object_new_object();
	_cleanup_free_ char *created = rfc3339_now();
	_cleanup_free_ char *link = xasprintf("../../layers/%s/root", layer);
	int ret;

	if (mkdirat(tmp->fd, "image", 0700) < 0 || symlinkat(link, tmp->fd, "image/rootfs") < 0) {
		json_object_put(meta);
		return ctr_errno(err, "stage image in %s", tmp->path);
	}
	json_object_object_add(meta, "created", json_object_new_string(created));
	json_object_object_add(meta, "source", json_object_new_string(opts->source ?: ""));
	json_object_object_add(meta, "template", json_object_new_string(opts->template ?: ""));
	json_object_object_add(meta, "size", json_object_new_int64((int64_t)size));
	json_object_object_add(meta, "layer", json_object_new_string(layer));
	json_object_object_add(meta, "config", config_to_json(opts->config ?: &no_config));
	ret = store_json_write(tmp->fd, "image/meta.json", meta, err);
	json_object_put(meta);
	return ret;
}

static int image_create_locked(struct store *st, const char *name, const char *dir,
			       const struct store_image_opts *opts, struct ctr_error *err)
{
	_cleanup_free_ char *image_path = xasprintf("images/%s", name);
	struct store_tmp tmp = {0};
	struct store_journal j = {0};
	char id[STORE_ID_LEN + 1];
	int ret;

	if (store_exists(st, image_path))
		return ctr_error(err, EEXIST, "image '%s' already exists", name);
	ret = store_tmp_create(st, &tmp, err);
	if (ret < 0)
		return ret;
	ret = store_stage_dir_as_layer(&tmp, dir, opts->source, id, err);
	if (ret == 0) {
		_cleanup_close_ int root =
		    openat(tmp.fd, "layer/root", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		ret = stage_image_meta(&tmp, id, root < 0 ? 0 : tree_size(root, 0), opts, err);
		if (ret < 0)
			renameat(tmp.fd, "layer/root", AT_FDCWD, dir);
	}
	if (ret == 0) {
		_cleanup_free_ char *from_layer = xasprintf("%s/layer", tmp.name);
		_cleanup_free_ char *from_image = xasprintf("%s/image", tmp.name);
		_cleanup_free_ char *to_layer = xasprintf("layers/%s", id);

		store_journal_move(&j, from_layer, to_layer);
		store_journal_move(&j, from_image, image_path);
		return store_journal_commit(st, &tmp, &j, err);
	}
	store_tmp_release(st, &tmp);
	return ret;
}

int store_image_create_from_dir(struct store *st, const char *name, const char *dir,
				const struct store_image_opts *opts, struct ctr_error *err)
{
	int ret = store_validate_name("image", name, err);

	if (ret < 0)
		return ret;
	ret = store_lock(st, true, err);
	if (ret < 0)
		return ret;
	ret = image_create_locked(st, name, dir, opts, err);
	store_unlock(st);
	return ret;
}

/* ---- reading ---- */

bool store_image_exists(struct store *st, const char *name)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *path = NULL;

	if (store_validate_name("image", name, &err) < 0)
		return false;
	path = xasprintf("images/%s/meta.json", name);
	return store_exists(st, path);
}

static int image_info_locked(struct store *st, const char *name, struct store_image_info *info,
			     struct ctr_error *err)
{
	_cleanup_free_ char *path = xasprintf("images/%s/meta.json", name);
	json_object *meta = NULL, *v;
	int ret = store_json_read(st->dirfd, path, &meta, err);

	if (ret == -ENOENT)
		return ctr_error(err, ENOENT, "image '%s' does not exist", name);
	if (ret < 0)
		return ret;
	*info = (struct store_image_info){0};
	info->name = xstrdup(name);
	info->created = dup_or_null(store_json_string(meta, "created"));
	info->source = dup_or_null(store_json_string(meta, "source"));
	info->template = dup_or_null(store_json_string(meta, "template"));
	info->layer = dup_or_null(store_json_string(meta, "layer"));
	if (json_object_object_get_ex(meta, "size", &v))
		info->size = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(meta, "config", &v))
		config_from_json(v, &info->config);
	json_object_put(meta);
	return 0;
}

int store_image_info(struct store *st, const char *name, struct store_image_info *info,
		     struct ctr_error *err)
{
	int ret = store_validate_name("image", name, err);

	if (ret < 0)
		return ret;
	ret = store_lock(st, false, err);
	if (ret < 0)
		return ret;
	ret = image_info_locked(st, name, info, err);
	store_unlock(st);
	return ret;
}

int store_image_list(struct store *st, char ***names, struct ctr_error *err)
{
	int ret = store_lock(st, false, err);

	if (ret < 0)
		return ret;
	ret = store_list_dir(st, "images", names, err);
	store_unlock(st);
	return ret;
}

/* ---- removing ---- */

struct user_search {
	struct store *st;
	const char *layer;
	char *who;
	struct ctr_error *err;
};

static int find_user(const char *who, const char *top, void *data)
{
	struct user_search *s = data;
	_cleanup_strv_ char **chain = NULL;
	int ret;

	if (strncmp(who, "image ", 6) == 0)
		return 0;
	ret = store_layer_chain(s->st, top, &chain, s->err);
	for (size_t i = 0; ret == 0 && chain[i]; i++) {
		if (strcmp(chain[i], s->layer) == 0) {
			s->who = xstrdup(who);
			return 1;
		}
	}
	return ret;
}

static int image_remove_locked(struct store *st, const char *name, struct ctr_error *err)
{
	struct store_image_info info = {0};
	struct user_search s = {st, NULL, NULL, err};
	struct store_tmp tmp = {0};
	_cleanup_free_ char *path = xasprintf("images/%s", name);
	_cleanup_free_ char *dead = NULL;
	int ret = image_info_locked(st, name, &info, err);

	if (ret < 0)
		return ret;
	s.layer = info.layer;
	ret = info.layer ? store_for_each_ref(st, find_user, &s, err) : 0;
	store_image_info_free(&info);
	if (ret > 0) {
		ret = ctr_error(err, EBUSY, "image '%s' is used by %s", name, s.who);
		free(s.who);
		return ret;
	}
	if (ret == 0)
		ret = store_tmp_create(st, &tmp, err);
	if (ret < 0)
		return ret;
	/* One rename makes the image disappear; removing its files can wait. */
	dead = xasprintf("%s/dead", tmp.name);
	if (renameat(st->dirfd, path, st->dirfd, dead) < 0)
		ret = ctr_errno(err, "remove image %s", name);
	store_tmp_release(st, &tmp);
	return ret < 0 ? ret : store_layers_gc(st, err);
}

int store_image_remove(struct store *st, const char *name, struct ctr_error *err)
{
	int ret = store_validate_name("image", name, err);

	if (ret < 0)
		return ret;
	ret = store_lock(st, true, err);
	if (ret < 0)
		return ret;
	ret = image_remove_locked(st, name, err);
	store_unlock(st);
	return ret;
}
