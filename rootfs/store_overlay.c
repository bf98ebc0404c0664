/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store_overlay.c - containers: an overlay upper/work pair on a layer chain;
 * clone and snapshot by freezing the upper into a new shared layer.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "store_internal.h"
#include "util.h"

/* Uppers must be self-contained to become lower layers later. */
#define OVERLAY_FIXED_OPTIONS "index=off,redirect_dir=off,metacopy=off"

static int container_meta_read(struct store *st, const char *name, json_object **meta,
			       struct ctr_error *err)
{
	_cleanup_free_ char *path = xasprintf("containers/%s/meta.json", name);
	int ret = store_json_read(st->dirfd, path, meta, err);

	if (ret == -ENOENT)
		return ctr_error(err, ENOENT, "container '%s' does not exist", name);
	return ret;
}

static json_object *container_meta_new(const char *image, const char *layer)
{
	json_object *meta = json_object_new_object();
	_cleanup_free_ char *created = rfc3339_now();

	json_object_object_add(meta, "created", json_object_new_string(created));
	if (image)
		json_object_object_add(meta, "image", json_object_new_string(image));
	json_object_object_add(meta, "layer", json_object_new_string(layer));
	return meta;
}

/* An empty upper taking its root's owner and mode from like (the layer
 * root below it): overlay shows the upper's root as the container's "/". */
static int make_upper(int dirfd, const char *path, int like_dirfd, const char *like)
{
	struct stat sb;

	if (fstatat(like_dirfd, like, &sb, 0) < 0 || mkdirat(dirfd, path, 0700) < 0)
		return -errno;
	if (fchownat(dirfd, path, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EPERM)
		return -errno;
	return fchmodat(dirfd, path, sb.st_mode & 07777, 0) < 0 ? -errno : 0;
}

/* Stage DIR/{meta.json,upper,work,snapshots} in tmp, the upper's root like
 * the directory like (relative to the store root): the top layer's root. */
static int stage_container(struct store *st, struct store_tmp *tmp, const char *dir,
			   json_object *meta, const char *like, struct ctr_error *err)
{
	_cleanup_free_ char *upper = xasprintf("%s/upper", dir);
	_cleanup_free_ char *work = xasprintf("%s/work", dir);
	_cleanup_free_ char *snaps = xasprintf("%s/snapshots", dir);
	_cleanup_free_ char *meta_path = xasprintf("%s/meta.json", dir);
	int ret;

	if (mkdirat(tmp->fd, dir, 0700) < 0 || mkdirat(tmp->fd, work, 0700) < 0 ||
	    mkdirat(tmp->fd, snaps, 0700) < 0)
		return ctr_errno(err, "stage container in %s", tmp->path);
	ret = make_upper(tmp->fd, upper, st->dirfd, like);
	if (ret < 0)
		return ctr_errnum(err, ret, "create %s/%s", tmp->path, upper);
	return store_json_write(tmp->fd, meta_path, meta, err);
}

static char *tmp_path(struct store_tmp *tmp, const char *name)
{
	return xasprintf("%s/%s", tmp->name, name);
}

/* ---- create ---- */

static int image_layer(struct store *st, const char *image, char **layer, struct ctr_error *err)
{
	_cleanup_free_ char *path = xasprintf("images/%s/meta.json", image);
	json_object *meta = NULL;
	const char *l;
	int ret = store_validate_name("image", image, err);

	if (ret == 0)
		ret = store_json_read(st->dirfd, path, &meta, err);
	if (ret == -ENOENT)
		return ctr_error(err, ENOENT, "image '%s' does not exist", image);
	if (ret < 0)
		return ret;
	l = store_json_string(meta, "layer");
	*layer = l ? xstrdup(l) : NULL;
	json_object_put(meta);
	return l ? 0 : ctr_error(err, EINVAL, "image '%s' has no layer", image);
}

static int container_create_locked(struct store *st, const char *name,
				   const struct store_container_opts *opts, struct store_tmp *tmp,
				   struct ctr_error *err)
{
	_cleanup_free_ char *target = xasprintf("containers/%s", name);
	_cleanup_free_ char *layer = NULL;
	struct store_journal j = {0};
	char id[STORE_ID_LEN + 1];
	json_object *meta;
	int ret;

	if (store_exists(st, target))
		return ctr_error(err, EEXIST, "container '%s' already exists", name);
	if (!opts->image == !opts->rootfs_dir)
		return ctr_error(err, EINVAL, "a container needs an image or a rootfs directory");
	if (opts->image)
		ret = image_layer(st, opts->image, &layer, err);
	else
		ret = store_stage_dir_as_layer(tmp, opts->rootfs_dir, opts->rootfs_dir, id, err);
	if (ret < 0)
		return ret;
	_cleanup_free_ char *like =
	    layer ? xasprintf("layers/%s/root", layer) : xasprintf("%s/layer/root", tmp->name);
	meta = container_meta_new(opts->image, layer ?: id);
	ret = stage_container(st, tmp, "c", meta, like, err);
	json_object_put(meta);
	if (ret == 0 && opts->config)
		ret = write_file_atomic_at(tmp->fd, "c/config", opts->config, strlen(opts->config),
					   0600, err);
	if (ret < 0) {
		if (!layer)
			renameat(tmp->fd, "layer/root", AT_FDCWD, opts->rootfs_dir);
		return ret;
	}
	if (!layer) {
		_cleanup_free_ char *from = tmp_path(tmp, "layer");
		_cleanup_free_ char *to = xasprintf("layers/%s", id);
		store_journal_move(&j, from, to);
	}
	_cleanup_free_ char *from = tmp_path(tmp, "c");
	store_journal_move(&j, from, target);
	return store_journal_commit(st, tmp, &j, err);
}

int store_container_create(struct store *st, const char *name,
			   const struct store_container_opts *opts, struct ctr_error *err)
{
	struct store_tmp tmp = {0};
	int ret = store_validate_name("container", name, err);

	if (ret == 0)
		ret = store_lock(st, true, err);
	if (ret < 0)
		return ret;
	ret = store_tmp_create(st, &tmp, err);
	if (ret == 0)
		ret = container_create_locked(st, name, opts, &tmp, err);
	store_tmp_release(st, &tmp);
	store_unlock(st);
	return ret < 0 ? ctr_error_prefix(err, "create container %s", name) : 0;
}

/* ---- reading ---- */

bool store_container_exists(struct store *st, const char *name)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *path = NULL;

	if (store_validate_name("container", name, &err) < 0)
		return false;
	path = xasprintf("containers/%s/meta.json", name);
	return store_exists(st, path);
}

int store_container_list(struct store *st, char ***names, struct ctr_error *err)
{
	int ret = store_lock(st, false, err);

	if (ret < 0)
		return ret;
	ret = store_list_dir(st, "containers", names, err);
	store_unlock(st);
	return ret;
}

char *store_container_path(struct store *st, const char *name, const char *file)
{
	return xasprintf("%s/containers/%s/%s", st->root, name, file);
}

int store_container_image(struct store *st, const char *name, char **image, struct ctr_error *err)
{
	json_object *meta = NULL;
	const char *s;
	int ret = store_validate_name("container", name, err);

	if (ret == 0)
		ret = container_meta_read(st, name, &meta, err);
	if (ret < 0)
		return ret;
	s = store_json_string(meta, "image");
	*image = s ? xstrdup(s) : NULL;
	json_object_put(meta);
	return 0;
}

int store_container_write_config(struct store *st, const char *name, const char *text,
				 struct ctr_error *err)
{
	_cleanup_free_ char *path = xasprintf("containers/%s/config", name);
	int ret = store_validate_name("container", name, err);

	if (ret == 0 && !store_container_exists(st, name))
		ret = ctr_error(err, ENOENT, "container '%s' does not exist", name);
	if (ret == 0)
		ret = write_file_atomic_at(st->dirfd, path, text, strlen(text), 0600, err);
	return ret;
}

/* ---- the mount ---- */

void store_mount_spec_free(struct store_mount_spec *spec)
{
	strv_free(spec->lowerdirs);
	free(spec->upperdir);
	free(spec->workdir);
	free(spec->options);
	*spec = (struct store_mount_spec){0};
}

static char *mount_options(const struct store_mount_spec *spec)
{
	_cleanup_free_ char *lower = xstrdup("");

	for (size_t i = 0; spec->lowerdirs[i]; i++) {
		char *next = xasprintf("%s%s%s", lower, i ? ":" : "", spec->lowerdirs[i]);
		free(lower);
		lower = next;
	}
	return xasprintf("lowerdir=%s,upperdir=%s,workdir=%s," OVERLAY_FIXED_OPTIONS, lower,
			 spec->upperdir, spec->workdir);
}

static int mount_spec_locked(struct store *st, const char *name, struct store_mount_spec *spec,
			     struct ctr_error *err)
{
	_cleanup_strv_ char **chain = NULL;
	json_object *meta = NULL;
	int ret = container_meta_read(st, name, &meta, err);

	if (ret < 0)
		return ret;
	ret = store_layer_chain(st, store_json_string(meta, "layer"), &chain, err);
	json_object_put(meta);
	if (ret < 0)
		return ret;
	*spec = (struct store_mount_spec){0};
	spec->lowerdirs = xcalloc(strv_len(chain) + 1, sizeof(char *));
	for (size_t i = 0; chain[i]; i++)
		spec->lowerdirs[i] = xasprintf("%s/layers/%s/root", st->root, chain[i]);
	spec->upperdir = store_container_path(st, name, "upper");
	spec->workdir = store_container_path(st, name, "work");
	spec->options = mount_options(spec);
	return 0;
}

int store_container_rootfs_mount_spec(struct store *st, const char *name,
				      struct store_mount_spec *spec, struct ctr_error *err)
{
	int ret = store_validate_name("container", name, err);

	if (ret == 0)
		ret = store_lock(st, false, err);
	if (ret < 0)
		return ret;
	ret = mount_spec_locked(st, name, spec, err);
	store_unlock(st);
	return ret;
}

int store_overlay_mount_at(struct store *st, const char *name, const char *target,
			   struct ctr_error *err)
{
	struct store_mount_spec spec = {0};
	int ret = store_container_rootfs_mount_spec(st, name, &spec, err);

	if (ret < 0)
		return ret;
	if (mount("overlay", target, "overlay", 0, spec.options) < 0)
		ret = ctr_errno(err, "mount overlay of %s at %s", name, target);
	store_mount_spec_free(&spec);
	return ret;
}

/* ---- freezing an upper: clone and snapshot ---- */

static bool dir_is_empty(int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	bool empty = true;
	DIR *dir;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		closep(&fd);
		return false;
	}
	while (empty && (de = readdir(dir)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(dir);
	return empty;
}

/* mount(2) takes one page of options: every chain the store builds must
 * fit in it with the upper and work paths, so any kernel can mount it. */
#define OVERLAY_OPTIONS_MAX 4095

static bool chain_has_room(struct store *st, const char *name, size_t layers, struct ctr_error *err)
{
	size_t root = strlen(st->root);
	size_t lower = layers * (root + strlen("/layers/") + STORE_ID_LEN + strlen("/root:"));
	size_t rest = 2 * (root + strlen("/containers/") + strlen(name) + strlen("/upper,")) +
		      strlen("lowerdir=,upperdir=,workdir=," OVERLAY_FIXED_OPTIONS);

	if (layers <= STORE_LAYERS_MAX && lower + rest <= OVERLAY_OPTIONS_MAX)
		return true;
	ctr_error(err, E2BIG, "container '%s' stands on too many layers (%zu) to add one", name,
		  layers - 1);
	return false;
}

/* The renames that turn containers/name/upper into layer id and give the
 * container a fresh upper, work and meta.json (staged in tmp). No target is
 * ever a later source, so a replay can tell what is done. */
static void journal_freeze(struct store_journal *j, struct store_tmp *tmp, const char *name,
			   const char *id)
{
	_cleanup_free_ char *upper = xasprintf("containers/%s/upper", name);
	_cleanup_free_ char *work = xasprintf("containers/%s/work", name);
	_cleanup_free_ char *meta = xasprintf("containers/%s/meta.json", name);
	_cleanup_free_ char *layer = xasprintf("layers/%s", id);
	_cleanup_free_ char *layer_root = xasprintf("layers/%s/root", id);
	_cleanup_free_ char *t_layer = tmp_path(tmp, "layer");
	_cleanup_free_ char *t_oldwork = tmp_path(tmp, "oldwork");
	_cleanup_free_ char *t_upper = tmp_path(tmp, "newupper");
	_cleanup_free_ char *t_work = tmp_path(tmp, "newwork");
	_cleanup_free_ char *t_meta = tmp_path(tmp, "meta.json");

	store_journal_move(j, t_layer, layer);
	store_journal_move(j, upper, layer_root);
	store_journal_move(j, work, t_oldwork);
	store_journal_move(j, t_upper, upper);
	store_journal_move(j, t_work, work);
	store_journal_replace(j, t_meta, meta);
}

/* Stage what journal_freeze moves: the layer, a fresh upper and work, the
 * container's meta.json naming the new layer. */
static int stage_frozen_layer(struct store *st, struct store_tmp *tmp, const char *name,
			      const char *parent, json_object *meta, char id[STORE_ID_LEN + 1],
			      struct ctr_error *err)
{
	_cleanup_free_ char *upper = xasprintf("containers/%s/upper", name);
	int ret = store_stage_layer(tmp, parent, name, id, err);

	if (ret == 0 && (mkdirat(tmp->fd, "newwork", 0700) < 0 ||
			 make_upper(tmp->fd, "newupper", st->dirfd, upper) < 0))
		ret = ctr_errno(err, "stage a fresh upper in %s", tmp->path);
	if (ret == 0) {
		json_object_object_add(meta, "layer", json_object_new_string(id));
		ret = store_json_write(tmp->fd, "meta.json", meta, err);
	}
	return ret;
}

/* Journal turning name's upper into a new layer on top of its chain, with
 * a fresh upper and work. Returns the container's top layer afterwards in
 * top (unchanged when the upper holds nothing). */
static int stage_freeze(struct store *st, struct store_tmp *tmp, const char *name,
			struct store_journal *j, char **top, struct ctr_error *err)
{
	_cleanup_free_ char *upper = xasprintf("containers/%s/upper", name);
	_cleanup_strv_ char **chain = NULL;
	json_object *meta = NULL;
	char id[STORE_ID_LEN + 1];
	int ret = container_meta_read(st, name, &meta, err);

	if (ret == 0)
		ret = store_layer_chain(st, store_json_string(meta, "layer"), &chain, err);
	if (ret == 0 && dir_is_empty(st->dirfd, upper)) {
		*top = xstrdup(chain[0]);
	} else if (ret == 0 && !chain_has_room(st, name, strv_len(chain) + 1, err)) {
		ret = -err->code;
	} else if (ret == 0) {
		ret = stage_frozen_layer(st, tmp, name, chain[0], meta, id, err);
		if (ret == 0) {
			journal_freeze(j, tmp, name, id);
			*top = xstrdup(id);
		}
	}
	json_object_put(meta);
	return ret;
}

static int clone_locked(struct store *st, const char *src, const char *dst, struct ctr_error *err)
{
	_cleanup_free_ char *target = xasprintf("containers/%s", dst);
	_cleanup_free_ char *src_config = xasprintf("containers/%s/config", src);
	_cleanup_free_ char *top = NULL, *image = NULL, *config = NULL;
	struct store_journal j = {0};
	struct store_tmp tmp = {0};
	json_object *meta;
	size_t len;
	int ret;

	if (store_exists(st, target))
		return ctr_error(err, EEXIST, "container '%s' already exists", dst);
	ret = store_container_image(st, src, &image, err);
	if (ret == 0 &&
	    (ret = read_file_at(st->dirfd, src_config, &config, &len, err)) == -ENOENT) {
		ctr_error_clear(err); /* a container without a native config */
		ret = 0;
	}
	if (ret == 0)
		ret = store_tmp_create(st, &tmp, err);
	if (ret < 0)
		return ret;
	ret = stage_freeze(st, &tmp, src, &j, &top, err);
	if (ret == 0) {
		/* The source's upper: where its root stands now, frozen or not. */
		_cleanup_free_ char *like = xasprintf("containers/%s/upper", src);
		meta = container_meta_new(image, top);
		ret = stage_container(st, &tmp, "clone", meta, like, err);
		json_object_put(meta);
	}
	if (ret == 0 && config)
		ret = write_file_atomic_at(tmp.fd, "clone/config", config, len, 0600, err);
	if (ret == 0) {
		_cleanup_free_ char *from = tmp_path(&tmp, "clone");
		store_journal_move(&j, from, target);
		return store_journal_commit(st, &tmp, &j, err);
	}
	strv_free(j.lines);
	store_tmp_release(st, &tmp);
	return ret;
}

int store_container_clone(struct store *st, const char *src, const char *dst, struct ctr_error *err)
{
	int ret = store_validate_name("container", src, err);

	if (ret == 0)
		ret = store_validate_name("container", dst, err);
	if (ret == 0)
		ret = store_lock(st, true, err);
	if (ret < 0)
		return ret;
	ret = clone_locked(st, src, dst, err);
	store_unlock(st);
	return ret < 0 ? ctr_error_prefix(err, "clone %s to %s", src, dst) : 0;
}

/* ---- destroy ---- */

/* One rename makes path disappear; its files go with the staging. */
static int remove_by_rename(struct store *st, const char *path, struct ctr_error *err)
{
	struct store_tmp tmp = {0};
	_cleanup_free_ char *dead = NULL;
	int ret = store_tmp_create(st, &tmp, err);

	if (ret < 0)
		return ret;
	dead = tmp_path(&tmp, "dead");
	if (renameat(st->dirfd, path, st->dirfd, dead) < 0)
		ret = ctr_errno(err, "remove %s/%s", st->root, path);
	store_tmp_release(st, &tmp);
	return ret < 0 ? ret : store_layers_gc(st, err);
}

int store_container_destroy(struct store *st, const char *name, struct ctr_error *err)
{
	_cleanup_free_ char *path = xasprintf("containers/%s", name);
	int ret = store_validate_name("container", name, err);

	if (ret == 0)
		ret = store_lock(st, true, err);
	if (ret < 0)
		return ret;
	if (!store_container_exists(st, name))
		ret = ctr_error(err, ENOENT, "container '%s' does not exist", name);
	else
		ret = remove_by_rename(st, path, err);
	store_unlock(st);
	return ret;
}

/* ---- snapshots ---- */

/* Validate both names and take the store lock for a snapshot change. */
static int snapshot_lock(struct store *st, const char *name, const char *snap,
			 struct ctr_error *err)
{
	int ret = store_validate_name("container", name, err);

	if (ret == 0)
		ret = store_validate_name("snapshot", snap, err);
	return ret < 0 ? ret : store_lock(st, true, err);
}

static int snapshot_create_locked(struct store *st, const char *name, const char *snap,
				  struct ctr_error *err)
{
	_cleanup_free_ char *target = xasprintf("containers/%s/snapshots/%s", name, snap);
	_cleanup_free_ char *top = NULL, *created = rfc3339_now();
	struct store_journal j = {0};
	struct store_tmp tmp = {0};
	json_object *meta;
	int ret;

	if (!store_container_exists(st, name))
		return ctr_error(err, ENOENT, "container '%s' does not exist", name);
	if (store_exists(st, target))
		return ctr_error(err, EEXIST, "snapshot '%s' of '%s' already exists", snap, name);
	ret = store_tmp_create(st, &tmp, err);
	if (ret == 0)
		ret = stage_freeze(st, &tmp, name, &j, &top, err);
	if (ret == 0 && mkdirat(tmp.fd, "snap", 0700) < 0)
		ret = ctr_errno(err, "stage snapshot in %s", tmp.path);
	if (ret == 0) {
		meta = json_object_new_object();
		json_object_object_add(meta, "created", json_object_new_string(created));
		json_object_object_add(meta, "layer", json_object_new_string(top));
		ret = store_json_write(tmp.fd, "snap/meta.json", meta, err);
		json_object_put(meta);
	}
	if (ret == 0) {
		_cleanup_free_ char *from = tmp_path(&tmp, "snap");
		store_journal_move(&j, from, target);
		return store_journal_commit(st, &tmp, &j, err);
	}
	strv_free(j.lines);
	store_tmp_release(st, &tmp);
	return ret;
}

int store_snapshot_create(struct store *st, const char *name, const char *snap,
			  struct ctr_error *err)
{
	int ret = snapshot_lock(st, name, snap, err);

	if (ret < 0)
		return ret;
	ret = snapshot_create_locked(st, name, snap, err);
	store_unlock(st);
	return ret < 0 ? ctr_error_prefix(err, "snapshot %s", name) : 0;
}

int store_snapshot_list(struct store *st, const char *name, char ***snaps, struct ctr_error *err)
{
	_cleanup_free_ char *dir = xasprintf("containers/%s/snapshots", name);
	int ret = store_validate_name("container", name, err);

	if (ret == 0)
		ret = store_lock(st, false, err);
	if (ret < 0)
		return ret;
	if (!store_container_exists(st, name))
		ret = ctr_error(err, ENOENT, "container '%s' does not exist", name);
	else
		ret = store_list_dir(st, dir, snaps, err);
	store_unlock(st);
	return ret;
}

static int restore_locked(struct store *st, const char *name, const char *snap,
			  struct ctr_error *err)
{
	_cleanup_free_ char *dir = xasprintf("containers/%s", name);
	_cleanup_free_ char *snap_meta = xasprintf("%s/snapshots/%s/meta.json", dir, snap);
	_cleanup_free_ char *upper = xasprintf("%s/upper", dir);
	_cleanup_free_ char *work = xasprintf("%s/work", dir);
	_cleanup_free_ char *meta_path = xasprintf("%s/meta.json", dir);
	json_object *meta = NULL, *smeta = NULL;
	struct store_journal j = {0};
	struct store_tmp tmp = {0};
	int ret = container_meta_read(st, name, &meta, err);

	if (ret == 0 && store_json_read(st->dirfd, snap_meta, &smeta, err) == -ENOENT)
		ret = ctr_error(err, ENOENT, "snapshot '%s' of '%s' does not exist", snap, name);
	if (ret == 0 && !store_json_string(smeta, "layer"))
		ret = ctr_error(err, EINVAL, "snapshot '%s' of '%s' has no layer", snap, name);
	if (ret == 0)
		ret = store_tmp_create(st, &tmp, err);
	if (ret == 0 && (mkdirat(tmp.fd, "newwork", 0700) < 0 ||
			 make_upper(tmp.fd, "newupper", st->dirfd, upper) < 0))
		ret = ctr_errno(err, "stage a fresh upper in %s", tmp.path);
	if (ret == 0) {
		json_object_object_add(meta, "layer",
				       json_object_new_string(store_json_string(smeta, "layer")));
		ret = store_json_write(tmp.fd, "meta.json", meta, err);
	}
	json_object_put(meta);
	json_object_put(smeta);
	if (ret < 0) {
		if (tmp.name)
			store_tmp_release(st, &tmp);
		return ret;
	}
	_cleanup_free_ char *t_oldupper = tmp_path(&tmp, "oldupper");
	_cleanup_free_ char *t_oldwork = tmp_path(&tmp, "oldwork");
	_cleanup_free_ char *t_upper = tmp_path(&tmp, "newupper");
	_cleanup_free_ char *t_work = tmp_path(&tmp, "newwork");
	_cleanup_free_ char *t_meta = tmp_path(&tmp, "meta.json");
	store_journal_move(&j, upper, t_oldupper);
	store_journal_move(&j, work, t_oldwork);
	store_journal_move(&j, t_upper, upper);
	store_journal_move(&j, t_work, work);
	store_journal_replace(&j, t_meta, meta_path);
	ret = store_journal_commit(st, &tmp, &j, err);
	return ret < 0 ? ret : store_layers_gc(st, err);
}

int store_snapshot_restore(struct store *st, const char *name, const char *snap,
			   struct ctr_error *err)
{
	int ret = snapshot_lock(st, name, snap, err);

	if (ret < 0)
		return ret;
	ret = restore_locked(st, name, snap, err);
	store_unlock(st);
	return ret < 0 ? ctr_error_prefix(err, "restore %s to %s", name, snap) : 0;
}

int store_snapshot_remove(struct store *st, const char *name, const char *snap,
			  struct ctr_error *err)
{
	_cleanup_free_ char *path = xasprintf("containers/%s/snapshots/%s", name, snap);
	int ret = snapshot_lock(st, name, snap, err);

	if (ret < 0)
		return ret;
	if (!store_exists(st, path))
		ret = ctr_error(err, ENOENT, "snapshot '%s' of '%s' does not exist", snap, name);
	else
		ret = remove_by_rename(st, path, err);
	store_unlock(st);
	return ret;
}
