/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * delegate.c - a container with a user namespace of its own gets its
 * cgroup delegated: the directory and the files that manage sub-cgroups
 * and membership belong to its root, so an init like systemd can build
 * its tree below. The limits' files stay host root's: the container can
 * not raise what it was given.
 */
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "lifecycle_internal.h"
#include "../cgroups/cgroup.h"

static const char *const delegated_files[] = {
    "cgroup.procs",
    "cgroup.threads",
    "cgroup.subtree_control",
    "tasks",
};

static bool host_id_of_root(const struct spec_id_map *maps, size_t n, uint32_t *out)
{
	for (size_t i = 0; i < n; i++)
		if (maps[i].container_id == 0 && maps[i].size > 0) {
			*out = maps[i].host_id;
			return true;
		}
	return false;
}

static int chown_dir(const char *dir, uid_t uid, gid_t gid, struct ctr_error *err)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fchown(fd, uid, gid) < 0)
		return ctr_errno(err, "delegate cgroup %s", dir);
	for (size_t i = 0; i < ARRAY_SIZE(delegated_files); i++)
		if (fchownat(fd, delegated_files[i], uid, gid, 0) < 0 && errno != ENOENT)
			return ctr_errno(err, "delegate %s/%s", dir, delegated_files[i]);
	return 0;
}

int lc_delegate_cgroup(const struct spec *spec, struct cg_handle *cg, struct ctr_error *err)
{
	const struct spec_namespace *ns = spec_find_namespace(spec, CLONE_NEWUSER);
	struct cg_mount_entry *entries = NULL;
	uint32_t uid, gid;
	size_t n = 0;
	int r;

	if (!ns || ns->path || !cg ||
	    !host_id_of_root(spec->linux.uid_mappings, spec->linux.n_uid_mappings, &uid) ||
	    !host_id_of_root(spec->linux.gid_mappings, spec->linux.n_gid_mappings, &gid))
		return 0;
	r = cg_mount_layout(cg, &entries, &n, err);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = chown_dir(entries[i].host_path, uid, gid, err);
	cg_mount_layout_free(entries, n);
	return r;
}
