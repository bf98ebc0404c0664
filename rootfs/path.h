/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * path.h - path helpers private to rootfs/: lexical cleaning that never
 * climbs above "/", and openat2 resolution confined to a root directory.
 */
#ifndef CTR_ROOTFS_PATH_H
#define CTR_ROOTFS_PATH_H

#include <stddef.h>

/* Resolution flags for every path looked up inside a container root. */
#define ROOTFS_RESOLVE (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

/* Clean path lexically into a new absolute path: "//" and "." dropped, ".."
 * removes the previous component and stops at "/". "a/../../b" -> "/b". */
char *rootfs_clean_path(const char *path);

/* Split a cleaned absolute path into its parent and last component, both
 * malloc'd: "/dev/net/tun" -> "/dev/net", "tun"; "/x" -> "/", "x".
 * Returns -EINVAL for "/" (no last component). */
int rootfs_split_path(const char *path, char **parent, char **name);

/* openat2(rootfd, path, ROOTFS_RESOLVE) with flags|O_CLOEXEC, retrying the
 * EAGAIN the kernel returns when a rename races the lookup. Returns the fd
 * or -errno, without filling an error. */
int rootfs_openat_in_root(int rootfd, const char *path, int flags);

/* "/proc/self/fd/N" for mount(2), which only takes paths. */
#define ROOTFS_FD_PATH_MAX 32
void rootfs_fd_path(char buf[ROOTFS_FD_PATH_MAX], int fd);

#endif
