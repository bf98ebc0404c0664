/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mount.c - rootfs_prepare: propagation of "/", the root bound onto itself
 * (pivot_root needs a mount point), then every spec mount in order, then
 * /dev. Each destination is resolved (and created) inside the root first.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "idmap.h"
#include "copyup.h"
#include "mnt.h"
#include "path.h"
#include "rootfs.h"
#include "setup.h"
#include "util.h"

char *rootfs_bind_source(const struct spec *spec, const struct spec_mount *m)
{
	const char *src = m->source ? m->source : "";

	if (src[0] == '/' || !spec->bundle)
		return xstrdup(src);
	return xasprintf("%s/%s", spec->bundle, src);
}

/* After the mount, the resolved fd still names what lies under it; reopen
 * the destination to reach the new mount for propagation and "rro". */
static int finish_fs_mount(int rootfd, const struct spec_mount *m, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (!m->propagation && !m->recursive_ro)
		return 0;
	fd = rootfs_openat_in_root(rootfd, m->destination, O_PATH);
	if (fd < 0)
		return ctr_errnum(err, fd, "reopen %s", m->destination);
	if (m->recursive_ro) {
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

		r = rootfs_setattr(fd, true, &attr);
		if (r < 0)
			return ctr_errnum(err, r, "make %s recursively read-only", m->destination);
	}
	r = m->propagation ? rootfs_set_propagation(fd, m->propagation) : 0;
	if (r < 0)
		return ctr_errnum(err, r, "set propagation of %s", m->destination);
	return 0;
}

/* The mount's own mappings, or the container's when it gives none. */
static int idmap_bind(int tree, const struct spec *spec, const struct spec_mount *m,
		      struct ctr_error *err)
{
	struct rootfs_idmap idmap = {m->uid_mappings, m->n_uid_mappings, m->gid_mappings,
				     m->n_gid_mappings};

	if (!idmap.n_uid && !idmap.n_gid)
		idmap = (struct rootfs_idmap){spec->linux.uid_mappings, spec->linux.n_uid_mappings,
					      spec->linux.gid_mappings, spec->linux.n_gid_mappings};
	return rootfs_idmap_tree(tree, &idmap, err);
}

static int mount_bind(const struct rootfs_ctx *ctx, int rootfd, const struct spec_mount *m,
		      struct ctr_error *err)
{
	_cleanup_free_ char *src = rootfs_bind_source(ctx->spec, m);
	_cleanup_close_ int tree = -1, target = -1;
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	struct stat st;
	int r;

	if (m->flags & MS_REC)
		flags |= AT_RECURSIVE;
	tree =
	    m->has_tree ? fcntl(m->tree, F_DUPFD_CLOEXEC, 3) : sys_open_tree(AT_FDCWD, src, flags);
	if (tree < 0)
		return ctr_errno(err, "bind %s", src);
	if (fstat(tree, &st) < 0)
		return ctr_errno(err, "stat %s", src);
	target = rootfs_mkpath_in_root(rootfd, m->destination, S_ISDIR(st.st_mode), err);
	if (target < 0)
		return target;
	if (m->idmap && !m->has_tree) {
		r = idmap_bind(tree, ctx->spec, m, err);
		if (r < 0)
			return ctr_error_prefix(err, "bind %s", src);
	}
	if (m->recursive_ro) {
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

		r = rootfs_setattr(tree, true, &attr);
		if (r < 0)
			return ctr_errnum(err, r, "make bind %s recursively read-only", src);
	}
	r = rootfs_attach_tree(tree, src, m->flags, m->clear_flags, target, err);
	if (r < 0)
		return r;
	/* Set after attaching: attaching below a shared mount makes it shared. */
	r = m->propagation ? rootfs_set_propagation(tree, m->propagation) : 0;
	if (r < 0)
		return ctr_errnum(err, r, "set propagation of %s", m->destination);
	return 0;
}

/* Filesystems a user namespace may only mount with a namespace of its own
 * behind them; without one, the host's instance is bound instead (with the
 * flags the mount asks for, e.g. read-only). */
static const struct {
	const char *type;
	const char *host_path;
} userns_fallbacks[] = {
    {"sysfs", "/sys"},	       /* needs a network namespace owned by ours */
    {"mqueue", "/dev/mqueue"}, /* needs an IPC namespace owned by ours */
};

static const char *userns_fallback(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(userns_fallbacks); i++) {
		if (strcmp(userns_fallbacks[i].type, type) == 0)
			return userns_fallbacks[i].host_path;
	}
	return NULL;
}

/* The host's tree carries its own submounts (cgroup hierarchies under /sys):
 * a read-only request covers them all, or the container could write there. */
static int make_host_tree_read_only(int tree, const struct spec_mount *m)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

	return (m->flags & MS_RDONLY) ? rootfs_setattr(tree, true, &attr) : 0;
}

/* tmpcopyup: mount the tmpfs writable, fill it from the directory it now
 * covers (opened before the mount), then apply read-only if asked. */
static int mount_tmpfs_copyup(int rootfd, const struct spec_mount *m, int target,
			      struct ctr_error *err)
{
	unsigned long flags = m->flags & ~(MS_BIND | MS_REC | ROOTFS_MS_PROPAGATION | MS_RDONLY);
	_cleanup_close_ int below = openat(target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fresh = -1;
	int r;

	if (below < 0)
		return ctr_errno(err, "open %s", m->destination);
	r = rootfs_mount_fs_onto("tmpfs", "tmpfs", flags, m->data, target);
	if (r < 0)
		return ctr_errnum(err, r, "mount tmpfs");
	fresh = rootfs_open_in_root(rootfd, m->destination, O_RDONLY | O_DIRECTORY, err);
	if (fresh < 0)
		return fresh;
	if ((r = rootfs_copy_up(below, fresh, err)) < 0)
		return ctr_error_prefix(err, "tmpcopyup %s", m->destination);
	if (m->flags & MS_RDONLY) {
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
		if ((r = rootfs_setattr(fresh, false, &attr)) < 0)
			return ctr_errnum(err, r, "make %s read-only", m->destination);
	}
	return finish_fs_mount(rootfd, m, err);
}

static int mount_filesystem(const struct rootfs_ctx *ctx, int rootfd, const struct spec_mount *m,
			    struct ctr_error *err)
{
	unsigned long flags = m->flags & ~(MS_BIND | MS_REC | ROOTFS_MS_PROPAGATION);
	_cleanup_close_ int target = -1, tree = -1;
	const char *host_path;
	int r;

	target = rootfs_mkpath_in_root(rootfd, m->destination, true, err);
	if (target < 0)
		return target;
	if (m->tmpcopyup && strcmp(m->type, "tmpfs") == 0)
		return mount_tmpfs_copyup(rootfd, m, target, err);
	r = rootfs_mount_fs_onto(m->source ? m->source : m->type, m->type, flags, m->data, target);
	if (r == -EPERM && ctx->in_userns && (host_path = userns_fallback(m->type))) {
		tree = rootfs_bind_onto(AT_FDCWD, host_path, true, m->flags, m->clear_flags, target,
					err);
		if (tree < 0)
			return ctr_error_prefix(err, "mount %s refused in user namespace", m->type);
		r = make_host_tree_read_only(tree, m);
		if (r < 0)
			return ctr_errnum(err, r, "make %s read-only", host_path);
	} else if (r < 0) {
		return ctr_errnum(err, r, "mount %s", m->type);
	}
	return finish_fs_mount(rootfd, m, err);
}

static int mount_one(const struct rootfs_ctx *ctx, int rootfd, const struct spec_mount *m,
		     int *ro_later, struct ctr_error *err)
{
	if (m->bind)
		return mount_bind(ctx, rootfd, m, err);
	if (m->idmap)
		return ctr_error(err, ENOTSUP, "idmap is only supported on bind mounts");
	if (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)
		return rootfs_mount_cgroup(ctx, rootfd, m, ro_later, err);
	return mount_filesystem(ctx, rootfd, m, err);
}

/* pivot_root refuses a shared new root, a shared parent of it, or a shared
 * current root. With a shared rootfs propagation, make the mount holding
 * the rootfs private (the self-bind then starts private too) and "/" (it
 * is detached after the pivot anyway). Rare: the other roots skip this. */
static int unshare_root_parents(const char *root_path, struct ctr_error *err)
{
	char real[PATH_MAX];
	struct statx stx;

	if (!realpath(root_path, real))
		return ctr_errno(err, "resolve rootfs %s", root_path);
	for (;;) {
		if (statx(AT_FDCWD, real, 0, 0, &stx) < 0)
			return ctr_errno(err, "stat %s", real);
		if ((stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) || strcmp(real, "/") == 0)
			break;
		char *slash = strrchr(real, '/');
		slash[slash == real ? 1 : 0] = '\0';
	}
	if (mount(NULL, real, NULL, MS_PRIVATE, NULL) < 0)
		return ctr_errno(err, "make %s private", real);
	if (strcmp(real, "/") != 0 && mount(NULL, "/", NULL, MS_PRIVATE, NULL) < 0)
		return ctr_errno(err, "make / private");
	return 0;
}

static int prepare_root(const struct spec *spec, struct ctr_error *err)
{
	unsigned long propagation = spec->linux.rootfs_propagation;

	if (!propagation)
		propagation = MS_SLAVE | MS_REC;
	/* Nothing mounted below may leak back to the host's mount namespace.
	 * rootfs_attach_root_tree made it all slaves already. */
	if ((!spec->has_root_tree || propagation != (MS_SLAVE | MS_REC)) &&
	    mount(NULL, "/", NULL, propagation, NULL) < 0)
		return ctr_errno(err, "set propagation of /");
	if (propagation & MS_SHARED) {
		int r = unshare_root_parents(spec->root_path, err);

		if (r < 0)
			return r;
	}
	/* rootfs_attach_root_tree made the root already. */
	if (spec->has_root_tree)
		return 0;
	/* The overlay exists only in this mount namespace: it goes away with
	 * the container, whoever dies first. */
	if (spec->root_overlay &&
	    mount("overlay", spec->root_path, "overlay", 0, spec->root_overlay) < 0)
		return ctr_errno(err, "mount overlay root at %s", spec->root_path);
	if (mount(spec->root_path, spec->root_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ctr_errno(err, "bind rootfs %s onto itself", spec->root_path);
	return 0;
}

int rootfs_attach_root_tree(const struct spec *spec, struct ctr_error *err)
{
	int fd;

	/* Nothing mounted below may leak back to the host's mount namespace. */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return ctr_errno(err, "set propagation of /");
	if (sys_move_mount(spec->root_tree, "", AT_FDCWD, spec->root_path,
			   MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return ctr_errno(err, "attach the root at %s", spec->root_path);
	if (mount(spec->root_path, spec->root_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ctr_errno(err, "bind rootfs %s onto itself", spec->root_path);
	fd = open(spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ctr_errno(err, "open rootfs %s", spec->root_path);
	return fd;
}

static int make_read_only(int fd, struct ctr_error *err)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	int r;

	if (fd < 0)
		return 0;
	r = rootfs_setattr(fd, false, &attr);
	return r < 0 ? ctr_errnum(err, r, "make cgroup tmpfs read-only") : 0;
}

int rootfs_prepare(const struct rootfs_ctx *ctx, struct ctr_error *err)
{
	const struct spec *spec = ctx->spec;
	_cleanup_close_ int rootfd = -1, ro_later = -1;
	enum rootfs_dev dev = ROOTFS_DEV_ROOTFS;
	int r;

	r = prepare_root(spec, err);
	if (r < 0)
		return r;
	rootfd = open(spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return ctr_errno(err, "open rootfs %s", spec->root_path);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];

		r = mount_one(ctx, rootfd, m, &ro_later, err);
		if (r < 0)
			return ctr_error_prefix(err, "mounts[%zu] (%s)", i, m->destination);
		if (strcmp(m->destination, "/dev") == 0)
			dev = m->bind ? ROOTFS_DEV_BOUND : ROOTFS_DEV_FRESH;
	}
	r = make_read_only(ro_later, err);
	if (r < 0)
		return r;
	return rootfs_setup_dev(ctx, rootfd, dev, err);
}
