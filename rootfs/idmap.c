/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idmap.c - idmapped bind mounts: the mount's uid/gid mappings become a user
 * namespace (held by a short-lived child that only waits to be released),
 * which mount_setattr(MOUNT_ATTR_IDMAP) attaches to the cloned tree before
 * it is mounted, so files on disk are never chowned.
 *
 * A mapping reads as on disk (containerID) -> seen through the mount
 * (hostID), exactly as /proc/PID/uid_map takes it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "idmap.h"
#include "syscalls.h"
#include "util.h"

static char *format_map(const struct spec_id_map *map, size_t n)
{
	char *text = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s%u %u %u\n", text, map[i].container_id, map[i].host_id,
				       map[i].size);
		free(text);
		text = next;
	}
	return text;
}

static int write_map(pid_t pid, const char *file, const struct spec_id_map *map, size_t n,
		     struct ctr_error *err)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/%s", pid, file);
	_cleanup_free_ char *text = format_map(map, n);

	return write_file_at(AT_FDCWD, path, text, strlen(text), err);
}

/* The child holds the namespace until the parent closes its pipe end. */
static pid_t spawn_holder(int release_fd, int keep_fd)
{
	struct clone_args args = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
	pid_t pid = (pid_t)sys_clone3(&args);
	char c;

	if (pid != 0)
		return pid;
	close(keep_fd);
	while (read(release_fd, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static int open_userns(pid_t pid, const struct rootfs_idmap *idmap, struct ctr_error *err)
{
	_cleanup_free_ char *ns = xasprintf("/proc/%d/ns/user", pid);
	int r, fd;

	r = write_map(pid, "uid_map", idmap->uid, idmap->n_uid, err);
	if (r == 0)
		r = write_map(pid, "gid_map", idmap->gid, idmap->n_gid, err);
	if (r < 0)
		return ctr_error_prefix(err, "idmap");
	fd = open(ns, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ctr_errno(err, "open %s", ns);
	return fd;
}

int rootfs_idmap_userns(const struct rootfs_idmap *idmap, struct ctr_error *err)
{
	int pipefd[2], fd, status;
	pid_t pid;

	if (idmap->n_uid == 0 || idmap->n_gid == 0)
		return ctr_error(err, EINVAL, "idmap mount without uid and gid mappings");
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ctr_errno(err, "pipe");
	pid = spawn_holder(pipefd[0], pipefd[1]);
	if (pid < 0) {
		fd = ctr_errno(err, "create user namespace for idmap");
	} else {
		fd = open_userns(pid, idmap, err);
	}
	close(pipefd[0]);
	close(pipefd[1]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return fd;
}

int rootfs_idmap_tree(int tree, const struct rootfs_idmap *idmap, struct ctr_error *err)
{
	_cleanup_close_ int userns = rootfs_idmap_userns(idmap, err);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP};

	if (userns < 0)
		return userns;
	attr.userns_fd = (uint64_t)userns;
	if (sys_mount_setattr(tree, "", AT_EMPTY_PATH, &attr) < 0)
		return ctr_errno(err, "idmap");
	return 0;
}
