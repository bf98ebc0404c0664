/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cg_tree.h - directory-tree helpers of cgroups/ (tree.c).
 */
#ifndef CTR_CG_TREE_H
#define CTR_CG_TREE_H

#include <sys/types.h>

#include "error.h"

/* mkdir -p of mountpoint+path; every directory made is appended to *made
 * (outermost first). 0 or -errno. */
int cg_tree_mkdir(const char *mountpoint, const char *path, char ***made);

/* rmdir abs and everything below it, deepest first, retrying EBUSY until
 * timeout_ms has passed. A missing directory is success. 0 or -errno. */
int cg_tree_remove(const char *abs, long timeout_ms);

/* Every pid in cgroup.procs of dirfd and its sub-cgroups. */
int cg_tree_pids(int dirfd, pid_t **pids, size_t *n, struct ctr_error *err);

#endif
