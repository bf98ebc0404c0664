/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * userns_root.c - a container's overlay over idmapped lower layers, or over
 * shifted copies of them where idmapped mounts are refused (see
 * userns_root.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idmap.h"
#include "log.h"
#include "setup.h"
#include "store_internal.h"
#include "syscalls.h"
#include "userns_root.h"
#include "util.h"

/* Must match the store's mounts (store.h): an upper stays self-contained. */
#define OVERLAY_FIXED_OPTIONS "index=off,redirect_dir=off,metacopy=off"
#define MAX_RANGES	      8

/* The range a layer's files were written with: an image's layer is owned
 * by host ids below size; an upper frozen into a layer has the root
 * directory the runtime gave it, owned by its container's range. */
static void layer_range(const struct stat *st, uint32_t size, struct rootfs_range *from)
{
	from->uid = st->st_uid < size ? 0 : (uint32_t)st->st_uid;
	from->gid = st->st_gid < size ? 0 : (uint32_t)st->st_gid;
	from->size = size;
}

static bool same_range(const struct rootfs_range *a, const struct rootfs_range *b)
{
	return a->uid == b->uid && a->gid == b->gid;
}

/* One user namespace per distinct layer range (usually one in all); the
 * first n_borrowed are the caller's. */
struct userns_cache {
	struct rootfs_range from[MAX_RANGES];
	int fd[MAX_RANGES];
	size_t n, n_borrowed;
};

static void userns_cache_close(struct userns_cache *c)
{
	for (size_t i = c->n_borrowed; i < c->n; i++)
		close(c->fd[i]);
	c->n = c->n_borrowed = 0;
}

static int userns_for(struct userns_cache *c, const struct rootfs_range *from,
		      const struct rootfs_range *to, struct ctr_error *err)
{
	struct spec_id_map uid = {from->uid, to->uid, to->size};
	struct spec_id_map gid = {from->gid, to->gid, to->size};
	struct rootfs_idmap map = {&uid, 1, &gid, 1};
	int fd;

	for (size_t i = 0; i < c->n; i++)
		if (same_range(&c->from[i], from))
			return c->fd[i];
	if (c->n == MAX_RANGES)
		return ctr_error(err, E2BIG, "layers written with more than %d id ranges",
				 MAX_RANGES);
	fd = rootfs_idmap_userns(&map, err);
	if (fd < 0)
		return fd;
	c->from[c->n] = *from;
	c->fd[c->n++] = fd;
	return fd;
}

static int open_layer(const char *dir, const struct rootfs_range *to, struct userns_cache *c,
		      struct ctr_error *err)
{
	_cleanup_close_ int tree =
	    sys_open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP};
	struct rootfs_range from;
	struct stat st;
	int userns;

	if (tree < 0 || fstat(tree, &st) < 0)
		return ctr_errno(err, "open layer %s", dir);
	layer_range(&st, to->size, &from);
	if (same_range(&from, to))
		return steal_fd(tree);
	userns = userns_for(c, &from, to, err);
	if (userns < 0)
		return userns;
	attr.userns_fd = (uint64_t)userns;
	if (sys_mount_setattr(tree, "", AT_EMPTY_PATH, &attr) < 0)
		return ctr_errno(err, "idmapped mount of %s", dir);
	return steal_fd(tree);
}

static void close_trees(int *trees, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (trees[i] >= 0)
			close(steal_fd(trees[i]));
}

/* userns: -1, or a user namespace mapping exactly 0..size-1 to the range
 * (an image's layers need no other). */
static int open_idmapped_layers(const struct rootfs_layers *l, const struct rootfs_range *to,
				int userns, int *trees, struct ctr_error *err)
{
	struct userns_cache cache = {.n = 0};
	int r = 0;

	if (userns >= 0) {
		cache.from[0] = (struct rootfs_range){0, 0, to->size};
		cache.fd[0] = userns;
		cache.n = cache.n_borrowed = 1;
	}

	for (size_t i = 0; r >= 0 && l->lowerdirs[i]; i++)
		r = trees[i] = open_layer(l->lowerdirs[i], to, &cache, err);
	userns_cache_close(&cache);
	return r < 0 ? r : 0;
}

/* The copy of one layer for this range, made now if it is not there yet
 * (a temporary name renamed into place: a concurrent start may win). */
static int shifted_copy(const char *dir, const struct rootfs_range *to, char **out, bool *made,
			struct ctr_error *err)
{
	_cleanup_free_ char *copy = xasprintf("%s.shift-%u-%u", dir, to->uid, to->gid);
	_cleanup_free_ char *tmp = xasprintf("%s.tmp-%d", copy, (int)getpid());
	struct rootfs_range from;
	struct stat st;
	int r;

	*made = false;
	if (stat(dir, &st) < 0)
		return ctr_errno(err, "stat layer %s", dir);
	layer_range(&st, to->size, &from);
	/* Written with this very range (a frozen upper of the container's own):
	 * nothing to shift. */
	if (same_range(&from, to)) {
		*out = xstrdup(dir);
		return 0;
	}
	if (access(copy, F_OK) == 0) {
		*out = steal_ptr(copy);
		return 0;
	}
	r = rootfs_copy_shifted(dir, tmp, &from, to, err);
	if (r == 0 && rename(tmp, copy) < 0 && errno != EEXIST && errno != ENOTEMPTY)
		r = ctr_errno(err, "rename %s", tmp);
	/* Lost the race, or failed half-way: the tree is ours to drop. */
	if (store_remove_tree(AT_FDCWD, tmp) < 0)
		ctr_debug("could not remove %s", tmp);
	if (r < 0)
		return r;
	*made = true;
	*out = steal_ptr(copy);
	return 0;
}

static int open_shifted_layers(const struct rootfs_layers *l, const struct rootfs_range *to,
			       int *trees, struct rootfs_root_report *report, struct ctr_error *err)
{
	for (size_t i = 0; l->lowerdirs[i]; i++) {
		_cleanup_free_ char *copy = NULL;
		bool made;
		int r = shifted_copy(l->lowerdirs[i], to, &copy, &made, err);

		if (r < 0)
			return r;
		report->n_made += made;
		trees[i] = sys_open_tree(AT_FDCWD, copy, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (trees[i] < 0)
			return ctr_errno(err, "open layer %s", copy);
	}
	return 0;
}

/* Idmapped clones of the layers, or shifted copies where the kernel or the
 * filesystem refuses them (EINVAL: no FS_ALLOW_IDMAP; EPERM, ENOSYS). */
static int open_layers(const struct rootfs_layers *l, const struct rootfs_range *to, int userns,
		       int *trees, size_t n, struct rootfs_root_report *report,
		       struct ctr_error *err)
{
	int r = open_idmapped_layers(l, to, userns, trees, err);

	if (r != -EINVAL && r != -EPERM && r != -ENOSYS && r != -EOPNOTSUPP)
		return r;
	close_trees(trees, n);
	report->copied = true;
	snprintf(report->why, sizeof(report->why), "%s", err->msg);
	ctr_error_clear(err);
	return open_shifted_layers(l, to, trees, report, err);
}

/* The overlay's root is the upper's root directory: give it what the top
 * layer's root looks like inside the container. */
static int prepare_upper(const struct rootfs_layers *l, int top, struct ctr_error *err)
{
	struct stat want, have;

	if (fstat(top, &want) < 0 || stat(l->upperdir, &have) < 0)
		return ctr_errno(err, "stat %s", l->upperdir);
	if ((have.st_uid != want.st_uid || have.st_gid != want.st_gid) &&
	    chown(l->upperdir, want.st_uid, want.st_gid) < 0)
		return ctr_errno(err, "chown %s", l->upperdir);
	if ((have.st_mode & 07777) != (want.st_mode & 07777) &&
	    chmod(l->upperdir, want.st_mode & 07777) < 0)
		return ctr_errno(err, "chmod %s", l->upperdir);
	return 0;
}

static char *join_lowers(char **lowers)
{
	char *lower = xstrdup("");

	for (size_t i = 0; lowers[i]; i++) {
		char *next = xasprintf("%s%s%s", lower, i ? ":" : "", lowers[i]);
		free(lower);
		lower = next;
	}
	return lower;
}

/* A detached overlay mount over these lower paths, or -errno. */
static int overlay_tree(char **lowers, const struct rootfs_layers *l)
{
	static const char *const fixed[][2] = {
	    {"index", "off"}, {"redirect_dir", "off"}, {"metacopy", "off"}};
	_cleanup_close_ int fs = sys_fsopen("overlay", FSOPEN_CLOEXEC);
	_cleanup_free_ char *lower = join_lowers(lowers);
	int mnt;

	if (fs < 0 || sys_fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0 ||
	    sys_fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", l->upperdir, 0) < 0 ||
	    sys_fsconfig(fs, FSCONFIG_SET_STRING, "workdir", l->workdir, 0) < 0)
		return -errno;
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		if (sys_fsconfig(fs, FSCONFIG_SET_STRING, fixed[i][0], fixed[i][1], 0) < 0)
			return -errno;
	if (sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, 0);
	return mnt < 0 ? -errno : mnt;
}

/* Before Linux 6.15 overlayfs takes only layers attached to the caller's
 * mount namespace: attach them below a temporary directory in staging for
 * the time of the mount, then detach them (the overlay keeps its own). */
static int overlay_tree_staged(const int *trees, size_t n, const struct rootfs_layers *l,
			       const char *staging, struct ctr_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/.layers-XXXXXX", staging);
	_cleanup_strv_ char **paths = xcalloc(n + 1, sizeof(char *));
	size_t attached = 0;
	int r = 0;

	if (!mkdtemp(dir))
		return ctr_errno(err, "create %s", dir);
	for (; r == 0 && attached < n; attached++) {
		paths[attached] = xasprintf("%s/%zu", dir, attached);
		if (mkdir(paths[attached], 0700) < 0)
			r = ctr_errno(err, "create %s", paths[attached]);
		else if (sys_move_mount(trees[attached], "", AT_FDCWD, paths[attached],
					MOVE_MOUNT_F_EMPTY_PATH) < 0)
			r = ctr_errno(err, "attach layer at %s", paths[attached]);
	}
	if (r == 0 && (r = overlay_tree(paths, l)) < 0)
		ctr_errnum(err, r, "mount overlay");
	for (size_t i = 0; i < attached && paths[i]; i++) {
		umount2(paths[i], MNT_DETACH);
		rmdir(paths[i]);
	}
	rmdir(dir);
	return r;
}

static int open_overlay(const int *trees, size_t n, const struct rootfs_layers *l,
			const char *staging, struct ctr_error *err)
{
	_cleanup_strv_ char **fds = xcalloc(n + 1, sizeof(char *));
	int r;

	for (size_t i = 0; i < n; i++)
		fds[i] = xasprintf("/proc/self/fd/%d", trees[i]);
	r = overlay_tree(fds, l);
	if (r == -EINVAL && staging)
		return overlay_tree_staged(trees, n, l, staging, err);
	return r < 0 ? ctr_errnum(err, r, "mount overlay") : r;
}

int rootfs_userns_root_open_in(const struct rootfs_layers *l, const struct rootfs_range *range,
			       int userns, const char *staging, struct rootfs_root_report *report,
			       struct ctr_error *err)
{
	size_t n = strv_len(l->lowerdirs);
	_cleanup_free_ int *trees = xcalloc(n ? n : 1, sizeof(int));
	int r;

	*report = (struct rootfs_root_report){0};
	if (n == 0)
		return ctr_error(err, EINVAL, "root without layers");
	for (size_t i = 0; i < n; i++)
		trees[i] = -1;
	r = open_layers(l, range, userns, trees, n, report, err);
	if (r == 0 && !l->upperdir)
		r = steal_fd(trees[0]);
	else if (r == 0 && (r = prepare_upper(l, trees[0], err)) == 0)
		r = open_overlay(trees, n, l, staging, err);
	close_trees(trees, n);
	return r;
}

int rootfs_userns_root_open(const struct rootfs_layers *l, const struct rootfs_range *range,
			    const char *staging, struct rootfs_root_report *report,
			    struct ctr_error *err)
{
	return rootfs_userns_root_open_in(l, range, -1, staging, report, err);
}

int rootfs_mount_userns_root(const struct rootfs_layers *l, const struct rootfs_range *range,
			     const char *target, const char *staging,
			     struct rootfs_root_report *report, struct ctr_error *err)
{
	_cleanup_close_ int tree = rootfs_userns_root_open(l, range, staging, report, err);

	if (tree < 0)
		return tree;
	if (sys_move_mount(tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return ctr_errno(err, "attach root at %s", target);
	return 0;
}

int rootfs_userns_prepare_binds(struct spec *spec, struct ctr_error *err)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		struct spec_mount *m = &spec->mounts[i];
		struct rootfs_idmap map = {m->uid_mappings, m->n_uid_mappings, m->gid_mappings,
					   m->n_gid_mappings};
		_cleanup_free_ char *src = NULL;
		unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
		int tree, r;

		if (!m->bind || !m->idmap || m->has_tree)
			continue;
		if (!map.n_uid && !map.n_gid)
			map = (struct rootfs_idmap){
			    spec->linux.uid_mappings, spec->linux.n_uid_mappings,
			    spec->linux.gid_mappings, spec->linux.n_gid_mappings};
		src = rootfs_bind_source(spec, m);
		tree =
		    sys_open_tree(AT_FDCWD, src, flags | ((m->flags & MS_REC) ? AT_RECURSIVE : 0));
		if (tree < 0)
			return ctr_errno(err, "bind %s", src);
		r = rootfs_idmap_tree(tree, &map, err);
		if (r < 0) {
			close(tree);
			if (r != -EINVAL)
				return ctr_error_prefix(err, "mount %s: bind %s", m->destination,
							src);
			return ctr_error(err, EINVAL,
					 "mount %s: bind %s,idmap: its filesystem does not support "
					 "idmapped mounts on this kernel",
					 m->destination, src);
		}
		m->has_tree = true;
		m->tree = tree;
	}
	return 0;
}

void rootfs_userns_close_trees(struct spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (spec->mounts[i].has_tree) {
			close(spec->mounts[i].tree);
			spec->mounts[i].has_tree = false;
		}
	if (spec->has_root_tree) {
		close(spec->root_tree);
		spec->has_root_tree = false;
	}
}
