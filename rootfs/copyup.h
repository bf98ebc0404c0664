/* SPDX-License-Identifier: GPL-2.0-or-later */
/* copyup.h - seed a fresh tmpfs with a directory's contents (tmpcopyup). */
#ifndef CTR_ROOTFS_COPYUP_H
#define CTR_ROOTFS_COPYUP_H

#include "error.h"

/* Copy everything below src_dir into dst_dir (files, directories,
 * symlinks, nodes; owners and modes kept; symlinks never followed), then
 * give dst_dir src_dir's owner and mode. */
int rootfs_copy_up(int src_dir, int dst_dir, struct ctr_error *err);

#endif
