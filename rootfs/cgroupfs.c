/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroupfs.c - a spec mount of type "cgroup": what /sys/fs/cgroup shows.
 *
 * The layout comes from cgroups/ (cg_mount_layout): on a v2 host a single
 * cgroup2 entry, mounted fresh when the container has its own cgroup
 * namespace (the kernel then roots it at the container's cgroup) and
 * otherwise the container's host directory bound in its place. On a v1 or
 * hybrid host a tmpfs holds one directory per hierarchy, each a bind of the
 * container's cgroup there, plus links for joined controllers
 * ("cpu" -> "cpu,cpuacct"), as on the host.
 *
 * A mount of type "cgroup2" asks for the unified hierarchy alone, whatever
 * the host has: the container's own cgroup2 directory, mounted fresh in its
 * cgroup namespace or bound otherwise. A plain cgroup2 mount without a
 * cgroup namespace would show the host's whole tree; on a hybrid host this
 * is the "unified" entry of the layout.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "log.h"
#include "mnt.h"
#include "path.h"
#include "setup.h"
#include "util.h"

/* Flags of the cgroup mount that make sense on each hierarchy. */
#define CGROUP_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | MS_NOATIME)

static int mount_hierarchy(const struct rootfs_ctx *ctx, const struct cg_mount_entry *e,
			   const struct spec_mount *m, int target, struct ctr_error *err)
{
	unsigned long flags = m->flags & CGROUP_FLAGS;
	_cleanup_close_ int tree = -1;
	int r;

	if (e->v2 && ctx->new_cgroupns) {
		r = rootfs_mount_fs_onto("cgroup2", "cgroup2", flags, NULL, target);
		return r < 0 ? ctr_errnum(err, r, "mount cgroup2") : 0;
	}
	tree = rootfs_bind_onto(AT_FDCWD, e->host_path, false, flags, m->clear_flags, target, err);
	return tree < 0 ? tree : 0;
}

/* "cpu,cpuacct" also answers to "cpu" and "cpuacct". */
static int link_joined_controllers(int dirfd, const char *name, struct ctr_error *err)
{
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (!strchr(name, ','))
		return 0;
	copy = xstrdup(name);
	for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		if (symlinkat(name, dirfd, c) < 0 && errno != EEXIST)
			return ctr_errno(err, "link %s to %s", c, name);
	}
	return 0;
}

static int mount_one_entry(const struct rootfs_ctx *ctx, const struct spec_mount *m,
			   const struct cg_mount_entry *e, int tmpfs_fd, struct ctr_error *err)
{
	_cleanup_close_ int target = -1;
	int r;

	/* The tmpfs is fresh and ours, and a name has no '/' in it. */
	if (mkdirat(tmpfs_fd, e->name, 0755) < 0 && errno != EEXIST)
		return ctr_errno(err, "create %s/%s", m->destination, e->name);
	target = openat(tmpfs_fd, e->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return ctr_errno(err, "open %s/%s", m->destination, e->name);
	r = mount_hierarchy(ctx, e, m, target, err);
	if (r < 0)
		return ctr_error_prefix(err, "%s/%s", m->destination, e->name);
	return link_joined_controllers(tmpfs_fd, e->name, err);
}

static int mount_v1_layout(const struct rootfs_ctx *ctx, int rootfd, const struct spec_mount *m,
			   int target, int *ro_later, struct ctr_error *err)
{
	unsigned long flags = m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
	_cleanup_close_ int tmpfs_fd = -1;
	int r;

	r = rootfs_mount_fs_onto("cgroup", "tmpfs", flags, "mode=755", target);
	if (r < 0)
		return ctr_errnum(err, r, "mount tmpfs");
	tmpfs_fd = rootfs_openat_in_root(rootfd, m->destination, O_PATH | O_DIRECTORY);
	if (tmpfs_fd < 0)
		return ctr_errnum(err, tmpfs_fd, "reopen %s", m->destination);
	for (size_t i = 0; i < ctx->n_cgroup_mounts; i++) {
		r = mount_one_entry(ctx, m, &ctx->cgroup_mounts[i], tmpfs_fd, err);
		if (r < 0)
			return r;
	}
	if (m->flags & MS_RDONLY) {
		closep(ro_later);
		*ro_later = steal_fd(tmpfs_fd);
	}
	return 0;
}

static const struct cg_mount_entry *v2_entry(const struct rootfs_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_cgroup_mounts; i++)
		if (ctx->cgroup_mounts[i].v2)
			return &ctx->cgroup_mounts[i];
	return NULL;
}

static int mount_layout(const struct rootfs_ctx *ctx, int rootfd, const struct spec_mount *m,
			int target, int *ro_later, struct ctr_error *err)
{
	const struct cg_mount_entry *v2 = v2_entry(ctx);

	if (strcmp(m->type, "cgroup2") == 0) {
		if (!v2)
			return ctr_error(err, ENOTSUP, "the host has no cgroup2 hierarchy");
		return mount_hierarchy(ctx, v2, m, target, err);
	}
	if (ctx->n_cgroup_mounts == 1 && v2 && !*v2->name)
		return mount_hierarchy(ctx, v2, m, target, err);
	return mount_v1_layout(ctx, rootfd, m, target, ro_later, err);
}

int rootfs_mount_cgroup(const struct rootfs_ctx *ctx, int rootfd, const struct spec_mount *m,
			int *ro_later, struct ctr_error *err)
{
	_cleanup_close_ int target = -1;
	int r;

	if (ctx->n_cgroup_mounts == 0) {
		ctr_debug("no cgroup layout: %s left as the rootfs has it", m->destination);
		return 0;
	}
	target = rootfs_mkpath_in_root(rootfd, m->destination, true, err);
	if (target < 0)
		return target;
	r = mount_layout(ctx, rootfd, m, target, ro_later, err);
	if (r < 0 || !m->propagation)
		return r;
	_cleanup_close_ int top = rootfs_openat_in_root(rootfd, m->destination, O_PATH);
	if (top < 0)
		return ctr_errnum(err, top, "reopen %s", m->destination);
	r = rootfs_set_propagation(top, m->propagation);
	return r < 0 ? ctr_errnum(err, r, "set propagation of %s", m->destination) : 0;
}
