/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * setup.h - the steps of rootfs_prepare that live in their own files.
 */
#ifndef CTR_ROOTFS_SETUP_H
#define CTR_ROOTFS_SETUP_H

#include "rootfs.h"

/* One spec mount of type "cgroup", at the resolved destination path. */
int rootfs_mount_cgroup(const struct rootfs_ctx *ctx, int rootfd, const struct spec_mount *m,
			struct ctr_error *err);

/* Device nodes, /dev symlinks and the console placeholder. dev_mounted: the
 * spec mounted a fresh filesystem on /dev (default nodes and links go in). */
int rootfs_setup_dev(const struct rootfs_ctx *ctx, int rootfd, bool dev_mounted,
		     struct ctr_error *err);

/* A bind mount's source: absolute, or relative to the bundle. */
char *rootfs_bind_source(const struct spec *spec, const struct spec_mount *m);

#endif
