/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mask.c - rootfs_finish: masked paths, read-only paths, read-only root.
 *
 * Runs after pivot_root, so everything is resolved inside "/" and mounted
 * with the fd-based mount API: it needs no /proc/self/fd (the container may
 * have no /proc) and mount_setattr changes only the read-only bit, leaving
 * flags that a user namespace locks as they are.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "mnt.h"
#include "path.h"
#include "rootfs.h"
#include "util.h"

struct masker {
	int rootfd;
	int null_fd;  /* /dev/null, checked to be the null device; -1 until needed */
	int empty_fd; /* an attached empty read-only tmpfs to clone; -1 until needed */
};

static int open_null(struct masker *mk, struct ctr_error *err)
{
	struct stat st;

	if (mk->null_fd >= 0)
		return 0;
	mk->null_fd = rootfs_openat_in_root(mk->rootfd, "/dev/null", O_PATH);
	if (mk->null_fd < 0)
		return ctr_errnum(err, mk->null_fd, "open /dev/null");
	/* The rootfs could have anything there; a mask must hide, not show. */
	if (fstat(mk->null_fd, &st) < 0)
		return ctr_errno(err, "stat /dev/null");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return ctr_error(err, EINVAL, "/dev/null is not the null device");
	return 0;
}

/* An empty read-only tmpfs: made once, cloned onto every further directory. */
static int mask_dir(struct masker *mk, int target, struct ctr_error *err)
{
	_cleanup_close_ int fs = -1, mnt = -1;

	if (mk->empty_fd >= 0) {
		mnt = rootfs_bind_onto(mk->empty_fd, "", false, 0, 0, target, err);
		return mnt < 0 ? mnt : 0;
	}
	fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return ctr_errno(err, "open tmpfs");
	if (sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return ctr_errno(err, "create tmpfs");
	mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC,
			  MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			      MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return ctr_errno(err, "mount tmpfs");
	if (sys_move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return ctr_errno(err, "attach tmpfs");
	mk->empty_fd = steal_fd(mnt);
	return 0;
}

static int mask_one(struct masker *mk, const char *path, struct ctr_error *err)
{
	_cleanup_close_ int target = -1, tree = -1;
	struct stat st;
	int r;

	target = rootfs_openat_in_root(mk->rootfd, path, O_PATH);
	if (target == -ENOENT)
		return 0;
	if (target < 0)
		return ctr_errnum(err, target, "open");
	if (fstat(target, &st) < 0)
		return ctr_errno(err, "stat");
	if (S_ISDIR(st.st_mode))
		return mask_dir(mk, target, err);
	r = open_null(mk, err);
	if (r < 0)
		return r;
	tree = rootfs_bind_onto(mk->null_fd, "", false, 0, 0, target, err);
	return tree < 0 ? tree : 0;
}

static int mask_paths(int rootfd, char **paths, struct ctr_error *err)
{
	struct masker mk = {.rootfd = rootfd, .null_fd = -1, .empty_fd = -1};
	int r = 0;

	for (size_t i = 0; paths && paths[i] && r >= 0; i++) {
		r = mask_one(&mk, paths[i], err);
		if (r < 0)
			ctr_error_prefix(err, "linux.maskedPaths[%zu] (%s)", i, paths[i]);
	}
	closep(&mk.null_fd);
	closep(&mk.empty_fd);
	return r;
}

static int readonly_one(int rootfd, const char *path, struct ctr_error *err)
{
	_cleanup_close_ int target = -1, tree = -1;
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	int r;

	target = rootfs_openat_in_root(rootfd, path, O_PATH);
	if (target == -ENOENT)
		return 0;
	if (target < 0)
		return ctr_errnum(err, target, "open");
	tree = sys_open_tree(target, "",
			     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0)
		return ctr_errno(err, "bind");
	/* Recursive: what is mounted below (binfmt_misc under /proc/sys) too. */
	r = rootfs_setattr(tree, true, &attr);
	if (r < 0)
		return ctr_errnum(err, r, "make read-only");
	if (sys_move_mount(tree, "", target, "",
			   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ctr_errno(err, "attach bind");
	return 0;
}

static int readonly_paths(int rootfd, char **paths, struct ctr_error *err)
{
	for (size_t i = 0; paths && paths[i]; i++) {
		int r = readonly_one(rootfd, paths[i], err);

		if (r < 0)
			return ctr_error_prefix(err, "linux.readonlyPaths[%zu] (%s)", i, paths[i]);
	}
	return 0;
}

int rootfs_finish(const struct rootfs_ctx *ctx, struct ctr_error *err)
{
	const struct spec *spec = ctx->spec;
	_cleanup_close_ int rootfd = -1;
	int r;

	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return ctr_errno(err, "open /");
	r = mask_paths(rootfd, spec->linux.masked_paths, err);
	if (r < 0)
		return r;
	r = readonly_paths(rootfd, spec->linux.readonly_paths, err);
	if (r < 0)
		return r;
	if (spec->root_readonly) {
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

		r = rootfs_setattr(rootfd, false, &attr);
		if (r < 0)
			return ctr_errnum(err, r, "make / read-only");
	}
	return 0;
}
