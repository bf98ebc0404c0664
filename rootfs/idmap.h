/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idmap.h - user namespaces built from a mount's id mappings, for
 * idmapped mounts (private to rootfs/).
 */
#ifndef CTR_ROOTFS_IDMAP_H
#define CTR_ROOTFS_IDMAP_H

#include <stddef.h>

#include "error.h"
#include "spec.h"

struct rootfs_idmap {
	const struct spec_id_map *uid;
	size_t n_uid;
	const struct spec_id_map *gid;
	size_t n_gid;
};

/* An fd on a new user namespace with these mappings (O_RDONLY|O_CLOEXEC). */
int rootfs_idmap_userns(const struct rootfs_idmap *idmap, struct ctr_error *err);

/* Idmap the (detached) mount tree at fd tree, top mount only. */
int rootfs_idmap_tree(int tree, const struct rootfs_idmap *idmap, struct ctr_error *err);

#endif
