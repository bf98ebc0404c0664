/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mnt.c - mount primitives: MS_* to mount_setattr translation, binds made
 * with open_tree/move_mount, filesystems mounted onto resolved fds.
 *
 * Binds use the new mount API because the flags are applied to the detached
 * clone before it is attached: no second remount, no reopening the target
 * to reach the new mount, and mount_setattr changes only the bits asked for,
 * so flags the kernel locks in a user namespace need no statfs dance.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "mnt.h"
#include "path.h"
#include "util.h"

static const struct {
	unsigned long ms;
	uint64_t attr;
} flag_table[] = {
    {MS_RDONLY, MOUNT_ATTR_RDONLY},
    {MS_NOSUID, MOUNT_ATTR_NOSUID},
    {MS_NODEV, MOUNT_ATTR_NODEV},
    {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
    {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
};

static const struct {
	unsigned long ms;
	uint64_t attr;
} atime_table[] = {
    {MS_NOATIME, MOUNT_ATTR_NOATIME},
    {MS_STRICTATIME, MOUNT_ATTR_STRICTATIME},
    {MS_RELATIME, MOUNT_ATTR_RELATIME},
};

bool rootfs_mount_attr(unsigned long set, unsigned long clear, struct mount_attr *attr)
{
	*attr = (struct mount_attr){0};
	for (size_t i = 0; i < ARRAY_SIZE(flag_table); i++) {
		if (set & flag_table[i].ms)
			attr->attr_set |= flag_table[i].attr;
		else if (clear & flag_table[i].ms)
			attr->attr_clr |= flag_table[i].attr;
	}
	/* The atime mode is one field: setting it means clearing the field. */
	for (size_t i = 0; i < ARRAY_SIZE(atime_table); i++) {
		if (set & atime_table[i].ms) {
			attr->attr_clr |= MOUNT_ATTR__ATIME;
			attr->attr_set |= atime_table[i].attr;
			break;
		}
	}
	if (set & MS_NODIRATIME)
		attr->attr_set |= MOUNT_ATTR_NODIRATIME;
	else if (clear & MS_NODIRATIME)
		attr->attr_clr |= MOUNT_ATTR_NODIRATIME;
	/* MOUNT_ATTR_RELATIME is 0: an atime request shows in attr_clr. */
	return attr->attr_set != 0 || (attr->attr_clr & MOUNT_ATTR__ATIME);
}

int rootfs_setattr(int fd, bool recursive, struct mount_attr *attr)
{
	unsigned int flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);

	if (sys_mount_setattr(fd, "", flags, attr) == 0)
		return 0;
	if (errno != EPERM || !(attr->attr_clr & ~MOUNT_ATTR__ATIME))
		return -errno;
	struct mount_attr keep = *attr;
	keep.attr_clr &= MOUNT_ATTR__ATIME;
	return sys_mount_setattr(fd, "", flags, &keep) == 0 ? 0 : -errno;
}

int rootfs_set_propagation(int fd, unsigned long propagation)
{
	struct mount_attr attr = {.propagation = propagation & ROOTFS_MS_PROPAGATION};

	if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | (propagation & MS_REC ? AT_RECURSIVE : 0),
			      &attr) < 0)
		return -errno;
	return 0;
}

int rootfs_attach_tree(int tree, const char *what, unsigned long set, unsigned long clear,
		       int target_fd, struct ctr_error *err)
{
	struct mount_attr attr;
	int r;

	if (rootfs_mount_attr(set, clear, &attr)) {
		r = rootfs_setattr(tree, false, &attr);
		if (r < 0)
			return ctr_errnum(err, r, "set flags of bind %s", what);
	}
	if (sys_move_mount(tree, "", target_fd, "",
			   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ctr_errno(err, "attach bind %s", what);
	return 0;
}

int rootfs_bind_onto(int srcdirfd, const char *src, bool recursive, unsigned long set,
		     unsigned long clear, int target_fd, struct ctr_error *err)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
	_cleanup_close_ int tree = -1;
	int r;

	if (!*src)
		flags |= AT_EMPTY_PATH;
	tree = sys_open_tree(srcdirfd, src, flags);
	if (tree < 0)
		return ctr_errno(err, "bind %s", *src ? src : "fd");
	r = rootfs_attach_tree(tree, src, set, clear, target_fd, err);
	if (r < 0)
		return r;
	return steal_fd(tree);
}

int rootfs_mount_fs_onto(const char *source, const char *type, unsigned long flags,
			 const char *data, int target_fd)
{
	char target[ROOTFS_FD_PATH_MAX];

	rootfs_fd_path(target, target_fd);
	if (mount(source, target, type, flags, data) < 0)
		return -errno;
	return 0;
}
