/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dev.c - /dev inside the container: the default device nodes, the spec's
 * linux.devices, the usual symlinks and the console placeholder.
 *
 * Nodes are made with mknodat in a directory resolved inside the root; in a
 * user namespace (or where mknod is refused) the host's node is bound onto
 * an empty file instead, which gives the same device without the right to
 * create one.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "path.h"
#include "setup.h"
#include "util.h"

struct dev_node {
	const char *path; /* inside the container, and the host node to bind */
	mode_t type;	  /* S_IFCHR, S_IFBLK, S_IFIFO */
	unsigned int major, minor;
	mode_t mode;
	bool has_owner;
	uid_t uid;
	gid_t gid;
};

static const struct dev_node default_nodes[] = {
    {"/dev/null", S_IFCHR, 1, 3, 0666, false, 0, 0},
    {"/dev/zero", S_IFCHR, 1, 5, 0666, false, 0, 0},
    {"/dev/full", S_IFCHR, 1, 7, 0666, false, 0, 0},
    {"/dev/random", S_IFCHR, 1, 8, 0666, false, 0, 0},
    {"/dev/urandom", S_IFCHR, 1, 9, 0666, false, 0, 0},
    {"/dev/tty", S_IFCHR, 5, 0, 0666, false, 0, 0},
};

static const struct {
	const char *name;
	const char *target;
	bool host_only; /* needs the host's /proc/kcore: not in a user namespace */
} dev_links[] = {
    {"fd", "/proc/self/fd", false},	  {"stdin", "/proc/self/fd/0", false},
    {"stdout", "/proc/self/fd/1", false}, {"stderr", "/proc/self/fd/2", false},
    {"ptmx", "pts/ptmx", false},	  {"core", "/proc/kcore", true},
};

/* Before pivot_root, so the host's node and /proc/self/fd are in view: one
 * mount(2) onto the file resolved in the root, where open_tree, move_mount
 * and close were three syscalls, six times in every unprivileged start. */
static int bind_host_node(int dirfd, const char *name, const struct dev_node *node,
			  struct ctr_error *err)
{
	_cleanup_close_ int target = -1;
	char path[ROOTFS_FD_PATH_MAX];

	target = openat(dirfd, name, O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (target < 0 && errno == EEXIST)
		target = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return ctr_errno(err, "create %s", node->path);
	rootfs_fd_path(path, target);
	if (mount(node->path, path, NULL, MS_BIND, NULL) < 0)
		return ctr_errno(err, "device %s: bind", node->path);
	return 0;
}

static int make_node_at(const struct rootfs_ctx *ctx, int dirfd, const char *name,
			const struct dev_node *node, struct ctr_error *err)
{
	if (ctx->in_userns)
		return bind_host_node(dirfd, name, node, err);
	if (mknodat(dirfd, name, node->type | node->mode, makedev(node->major, node->minor)) < 0) {
		if (errno == EEXIST)
			return 0; /* the rootfs has it already: keep it */
		if (errno == EPERM)
			return bind_host_node(dirfd, name, node, err);
		return ctr_errno(err, "mknod %s", node->path);
	}
	if (node->has_owner && fchownat(dirfd, name, node->uid, node->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return ctr_errno(err, "chown %s", node->path);
	return 0;
}

static mode_t device_type(char type)
{
	switch (type) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default: /* 'c', 'u' */
		return S_IFCHR;
	}
}

static int make_spec_device(const struct rootfs_ctx *ctx, int rootfd, const struct spec_device *d,
			    struct ctr_error *err)
{
	struct dev_node node = {
	    .path = d->path,
	    .type = device_type(d->type),
	    .major = (unsigned int)d->major,
	    .minor = (unsigned int)d->minor,
	    .mode = d->has_file_mode ? (d->file_mode & 07777) : 0666,
	    .has_owner = d->has_uid || d->has_gid,
	    .uid = d->has_uid ? d->uid : 0,
	    .gid = d->has_gid ? d->gid : 0,
	};

	_cleanup_free_ char *clean = rootfs_clean_path(d->path);
	_cleanup_free_ char *parent = NULL, *name = NULL;
	_cleanup_close_ int dirfd = -1;

	if (rootfs_split_path(clean, &parent, &name) < 0)
		return ctr_error(err, EINVAL, "device path %s has no name", d->path);
	dirfd = rootfs_mkpath_in_root(rootfd, parent, true, err);
	if (dirfd < 0)
		return dirfd;
	return make_node_at(ctx, dirfd, name, &node, err);
}

static bool spec_has_device(const struct spec *spec, const char *path)
{
	for (size_t i = 0; i < spec->linux.n_devices; i++) {
		if (strcmp(spec->linux.devices[i].path, path) == 0)
			return true;
	}
	return false;
}

/* devfd: /dev when the spec mounted it (default nodes go in), else -1. */
static int make_nodes(const struct rootfs_ctx *ctx, int rootfd, int devfd, struct ctr_error *err)
{
	int r;

	for (size_t i = 0; devfd >= 0 && i < ARRAY_SIZE(default_nodes); i++) {
		const struct dev_node *node = &default_nodes[i];

		if (spec_has_device(ctx->spec, node->path))
			continue;
		r = make_node_at(ctx, devfd, node->path + strlen("/dev/"), node, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ctx->spec->linux.n_devices; i++) {
		r = make_spec_device(ctx, rootfd, &ctx->spec->linux.devices[i], err);
		if (r < 0)
			return ctr_error_prefix(err, "linux.devices[%zu]", i);
	}
	return 0;
}

static int make_links(const struct rootfs_ctx *ctx, int devfd, struct ctr_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++) {
		if (dev_links[i].host_only && ctx->in_userns)
			continue;
		if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) < 0 && errno != EEXIST)
			return ctr_errno(err, "link /dev/%s", dev_links[i].name);
	}
	return 0;
}

/* rootfs_bind_console mounts the pty over this file. */
static int make_console(int devfd, struct ctr_error *err)
{
	int fd =
	    openat(devfd, "console", O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0 && errno != EEXIST)
		return ctr_errno(err, "create /dev/console");
	if (fd >= 0)
		close(fd);
	return 0;
}

int rootfs_setup_dev(const struct rootfs_ctx *ctx, int rootfd, enum rootfs_dev dev,
		     struct ctr_error *err)
{
	bool terminal = ctx->spec->has_process && ctx->spec->process.terminal;
	bool fresh = dev == ROOTFS_DEV_FRESH;
	_cleanup_close_ int devfd = -1;
	mode_t old_umask;
	int r;

	/* A bound /dev is someone's real /dev: creating nodes there would
	 * write to it (the host's, for privileged containers). */
	if (dev == ROOTFS_DEV_BOUND || (!fresh && !terminal && ctx->spec->linux.n_devices == 0))
		return 0;
	if (fresh || terminal) {
		devfd = rootfs_mkpath_in_root(rootfd, "/dev", true, err);
		if (devfd < 0)
			return devfd;
	}
	/* Nodes get exactly the modes asked for. */
	old_umask = umask(0);
	r = make_nodes(ctx, rootfd, fresh ? devfd : -1, err);
	umask(old_umask);
	if (r < 0)
		return r;
	if (fresh) {
		r = make_links(ctx, devfd, err);
		if (r < 0)
			return r;
	}
	return terminal ? make_console(devfd, err) : 0;
}
