/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mnt.h - mount primitives private to rootfs/: every mount is made onto an
 * fd that was resolved inside the root, never onto a path string.
 */
#ifndef CTR_ROOTFS_MNT_H
#define CTR_ROOTFS_MNT_H

#include <stdbool.h>

#include "error.h"
#include "syscalls.h"

#define ROOTFS_MS_PROPAGATION (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

/* Translate MS_* flags to set and to clear into a mount_setattr(2) request
 * (read-only, nosuid, nodev, noexec, nosymfollow, atime). Other bits are
 * ignored. Returns true when the request sets something: a "rw" or "suid"
 * alone asks nothing of a fresh bind (it keeps the source's flags). */
bool rootfs_mount_attr(unsigned long set, unsigned long clear, struct mount_attr *attr);

/* mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0)).
 * If clearing is refused (EPERM: flags the kernel locked when the mount
 * namespace was copied into a user namespace), retry setting only. */
int rootfs_setattr(int fd, bool recursive, struct mount_attr *attr);

/* Apply MS_SHARED/SLAVE/PRIVATE/UNBINDABLE (|MS_REC) to the mount at fd. */
int rootfs_set_propagation(int fd, unsigned long propagation);

/* Clone the mount tree at src (recursive: with submounts), apply the MS_*
 * flags to set and clear, and attach it onto target_fd. Returns the fd of
 * the attached tree (for later propagation changes) or -errno with err
 * filled ("bind SRC: ..."). */
int rootfs_bind_onto(int srcdirfd, const char *src, bool recursive, unsigned long set,
		     unsigned long clear, int target_fd, struct ctr_error *err);

/* The same with an already cloned tree (open_tree OPEN_TREE_CLONE). */
int rootfs_attach_tree(int tree, const char *what, unsigned long set, unsigned long clear,
		       int target_fd, struct ctr_error *err);

/* mount(2) of a filesystem onto target_fd through /proc/self/fd. */
int rootfs_mount_fs_onto(const char *source, const char *type, unsigned long flags,
			 const char *data, int target_fd);

#endif
