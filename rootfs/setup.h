/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * setup.h - the steps of rootfs_prepare that live in their own files.
 */
#ifndef CTR_ROOTFS_SETUP_H
#define CTR_ROOTFS_SETUP_H

#include "rootfs.h"

/* One spec mount of type "cgroup". A read-only v1 layout's tmpfs is made
 * read-only only after every spec mount (*ro_later receives its fd): podman
 * may bind single controllers below it, whose mount points must be made. */
int rootfs_mount_cgroup(const struct rootfs_ctx *ctx, int rootfd, const struct spec_mount *m,
			int *ro_later, struct ctr_error *err);

/* What the spec put on /dev. */
enum rootfs_dev {
	ROOTFS_DEV_ROOTFS, /* nothing: the rootfs's own /dev (spec devices, console) */
	ROOTFS_DEV_FRESH,  /* a new filesystem: default nodes and links go in too */
	ROOTFS_DEV_BOUND,  /* a bind (often the host's /dev): left exactly as it is */
};

/* Device nodes, /dev symlinks and the console placeholder. */
int rootfs_setup_dev(const struct rootfs_ctx *ctx, int rootfd, enum rootfs_dev dev,
		     struct ctr_error *err);

/* A bind mount's source: absolute, or relative to the bundle. */
char *rootfs_bind_source(const struct spec *spec, const struct spec_mount *m);

#endif
