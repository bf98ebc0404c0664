/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * userns_root.h - the root filesystem of a container in a user namespace,
 * made by the runtime before the container starts (idmapped mounts need
 * privilege over the filesystem's user namespace, which the container's
 * root never has).
 *
 * The image's layers stay as they are on disk (owned by host root): each
 * lower layer is cloned and idmapped (MOUNT_ATTR_IDMAP) so that its ids
 * 0..size-1 appear as the container's host range, and the overlay stands
 * on those clones. The upper layer is not idmapped: what the container
 * creates lands on disk owned by the container's host ids, and copy-up
 * writes the ids it sees, so one image serves many containers with
 * different ranges. A layer frozen from such an upper (clone, snapshot)
 * is recognised by its root directory's owner (the range it was written
 * with) and mapped from that range instead.
 *
 * Where the kernel or filesystem refuses idmapped mounts (tmpfs before
 * Linux 6.3, some network filesystems), each lower layer is copied once
 * with its owners shifted, next to itself ("LOWER.shift-UID-GID"), and the
 * copy is used from then on; report says so and why.
 */
#ifndef CTR_ROOTFS_USERNS_ROOT_H
#define CTR_ROOTFS_USERNS_ROOT_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "spec.h"

struct rootfs_layers {
	char *const *lowerdirs; /* absolute, topmost first, NULL-terminated */
	const char *upperdir;	/* NULL: lowerdirs[0] alone, bound at target (a plain rootfs) */
	const char *workdir;
};

/* Container ids 0..size-1 are host ids uid.. and gid... */
struct rootfs_range {
	uint32_t uid;
	uint32_t gid;
	uint32_t size;
};

struct rootfs_root_report {
	bool copied;	     /* shifted copies stand in for idmapped layers */
	unsigned int n_made; /* copies made by this call (0: all were cached) */
	char why[256];	     /* with copied: why idmapped mounts were refused */
};

/* The container's root as a detached mount (fd, O_CLOEXEC), to attach
 * with move_mount: the overlay, or with no upperdir the idmapped lower.
 * staging: a directory the caller owns, where a temporary directory is
 * made only on kernels whose overlayfs refuses detached layers (before
 * 6.15): the idmapped layers are attached there while the overlay is
 * made, then detached again. The upper's root directory is given the
 * owner and mode the top lower layer's root has in the container. */
int rootfs_userns_root_open(const struct rootfs_layers *l, const struct rootfs_range *range,
			    const char *staging, struct rootfs_root_report *report,
			    struct ctr_error *err);

/* rootfs_userns_root_open with userns (an fd) as the idmap of every layer
 * written with ids 0..size-1, where it would make a user namespace of its
 * own: the container's, once its maps are exactly 0 -> range, so that a
 * start pays for no extra process. Layers written with another range still
 * get one made for them. */
int rootfs_userns_root_open_in(const struct rootfs_layers *l, const struct rootfs_range *range,
			       int userns, const char *staging, struct rootfs_root_report *report,
			       struct ctr_error *err);

/* rootfs_userns_root_open, attached at target (an existing directory). */
int rootfs_mount_userns_root(const struct rootfs_layers *l, const struct rootfs_range *range,
			     const char *target, const char *staging,
			     struct rootfs_root_report *report, struct ctr_error *err);

/* Binds with the idmap option: their sources cloned and idmapped now, by
 * the runtime (the container's user namespace may not), as m->tree. */
int rootfs_userns_prepare_binds(struct spec *spec, struct ctr_error *err);

/* Close what the runtime prepared (root tree, bind trees) once launched. */
void rootfs_userns_close_trees(struct spec *spec);

/* Copy the tree src to the new directory dst with every owner in
 * from..from+size-1 moved to the same offset in to (uid and gid apart;
 * other owners kept). Modes, setuid bits included, survive the chown. */
int rootfs_copy_shifted(const char *src, const char *dst, const struct rootfs_range *from,
			const struct rootfs_range *to, struct ctr_error *err);

#endif
