/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootfs.h - building the container's filesystem view, run by the container
 * child inside its new mount namespace.
 *
 * Three steps, because other work sits between them: createContainer hooks
 * run after prepare (they see the prepared mounts and the host filesystem),
 * hostname and sysctl are set after pivot and before /proc/sys turns
 * read-only in finish:
 *   rootfs_prepare(): propagation, bind the root onto itself, every mount of
 *     the spec, /dev (fresh tmpfs, nodes, devpts, symlinks), cgroup layout;
 *   rootfs_pivot(): pivot_root (or chroot with no_pivot), detach the old
 *     root, chdir("/");
 *   rootfs_finish(): masked and read-only paths, read-only root.
 *
 * Every destination is resolved inside the rootfs (openat2 RESOLVE_IN_ROOT),
 * created there if missing, and the mount is made onto the resolved fd
 * (/proc/self/fd/N), so a symlink in an untrusted rootfs can never send a
 * mount, a mknod or a write outside it.
 */
#ifndef CTR_ROOTFS_H
#define CTR_ROOTFS_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"
#include "../cgroups/cgroup.h"

struct rootfs_ctx {
	const struct spec *spec;
	/* Hierarchies to show under /sys/fs/cgroup for mounts of type "cgroup"
	 * (from cg_mount_layout); n_cgroup_mounts may be 0 (no cgroup). */
	const struct cg_mount_entry *cgroup_mounts;
	size_t n_cgroup_mounts;
	bool no_pivot;     /* chroot instead of pivot_root (ctr-oci --no-pivot) */
	bool in_userns;    /* mknod is refused: bind-mount host device nodes */
	bool new_cgroupns; /* the child has its own cgroup namespace */
};

int rootfs_prepare(const struct rootfs_ctx *ctx, struct ctr_error *err);

/* With spec->has_root_tree, in the container's new mount namespace and
 * before becoming root of its new user namespace (while still host root,
 * who may walk the store's 0700 directories): the runtime's root tree
 * attached at spec->root_path, bound onto itself. Returns an O_PATH fd on
 * it; the caller uses "/proc/self/fd/N" as root_path from then on (the
 * container's root could not walk to root_path), and rootfs_prepare then
 * leaves the root as it is. */
int rootfs_attach_root_tree(const struct spec *spec, struct ctr_error *err);
int rootfs_pivot(const struct rootfs_ctx *ctx, struct ctr_error *err);
int rootfs_finish(const struct rootfs_ctx *ctx, struct ctr_error *err);

/* Open path inside the root directory rootfd, never leaving it (symlinks and
 * ".." are resolved as if rootfd were "/"). flags as for openat(2). */
int rootfs_open_in_root(int rootfd, const char *path, int flags, struct ctr_error *err);

/* Make path (and missing parents) inside rootfd, as a directory or an empty
 * file, and return an O_PATH fd on it, resolved inside the root. */
int rootfs_mkpath_in_root(int rootfd, const char *path, bool is_dir, struct ctr_error *err);

/* With a terminal: bind the pty slave (a path in the container's devpts,
 * e.g. "/dev/pts/0") over /dev/console. Called after rootfs_pivot, inside the
 * new root; rootfs_prepare has created /dev/console as an empty file when
 * spec->process.terminal is set. */
int rootfs_bind_console(const char *slave_path, struct ctr_error *err);

#endif
