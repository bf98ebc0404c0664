/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tree.c - cgroup directories as a tree: make a path remembering what was
 * made, remove a subtree bottom-up, and collect the pids below a directory.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cg_internal.h"
#include "cg_tree.h"
#include "util.h"

/* A concurrent cg_destroy may remove a parent we just saw (EEXIST) before
 * our mkdir below it: start over a few times instead of failing. */
#define MKDIR_ATTEMPTS 5

static int mkdir_components(const char *abs, size_t root_len, char ***made)
{
	_cleanup_free_ char *copy = xstrdup(abs);

	for (char *p = copy + root_len + 1;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) == 0)
			strv_append(made, copy);
		else if (errno != EEXIST)
			return -errno;
		if (last)
			return 0;
		*p = '/';
	}
}

int cg_tree_mkdir(const char *mountpoint, const char *path, char ***made)
{
	_cleanup_free_ char *abs = xasprintf("%s%s", mountpoint, path);
	int ret = 0;

	/* The parents usually exist (other containers, a pod): one mkdir. */
	if (mkdir(abs, 0755) == 0) {
		strv_append(made, abs);
		return 0;
	}
	if (errno != ENOENT)
		return errno == EEXIST ? 0 : -errno;
	for (int attempt = 0; attempt < MKDIR_ATTEMPTS; attempt++) {
		ret = mkdir_components(abs, strlen(mountpoint), made);
		if (ret != -ENOENT)
			break;
	}
	return ret;
}

/* rmdir, waiting on EBUSY (tasks still exiting) until deadline. */
static int rmdir_wait(const char *abs, long deadline)
{
	long delay = 1;

	for (;;) {
		if (rmdir(abs) == 0 || errno == ENOENT)
			return 0;
		if ((errno != EBUSY && errno != ENOTEMPTY) || cg_now_ms() >= deadline)
			return -errno;
		cg_sleep_ms(delay);
		delay = delay < 16 ? delay * 2 : delay;
	}
}

static int rm_subtree(const char *abs, long deadline, int depth)
{
	DIR *dir;
	struct dirent *de;
	int ret = 0;

	if (depth > 64)
		return -ELOOP;
	dir = opendir(abs);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir))) {
		_cleanup_free_ char *child = NULL;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		child = xasprintf("%s/%s", abs, de->d_name);
		ret = rm_subtree(child, deadline, depth + 1);
		if (ret < 0)
			break;
	}
	closedir(dir);
	return ret < 0 ? ret : rmdir_wait(abs, deadline);
}

int cg_tree_remove(const char *abs, long timeout_ms)
{
	long deadline = cg_now_ms() + timeout_ms;
	int ret;

	/* The common case is a leaf whose processes are gone: one rmdir, no
	 * walk. Sub-cgroups (ENOTEMPTY) or tasks still exiting (EBUSY) take
	 * the walk below. */
	if (rmdir(abs) == 0 || errno == ENOENT)
		return 0;
	if (errno != EBUSY && errno != ENOTEMPTY)
		return -errno;
	/* A sub-cgroup made while we walked leaves ENOTEMPTY: walk again. */
	do {
		ret = rm_subtree(abs, deadline, 0);
	} while (ret == -ENOTEMPTY && cg_now_ms() < deadline);
	return ret;
}

static void add_pids(const char *procs, pid_t **pids, size_t *n)
{
	const char *p = procs;

	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (v > 0) {
			*pids = xrealloc(*pids, (*n + 1) * sizeof(**pids));
			(*pids)[(*n)++] = (pid_t)v;
		}
		p = end;
		while (*p == '\n')
			p++;
	}
}

static int collect(int dirfd, pid_t **pids, size_t *n, int depth, struct ctr_error *err)
{
	_cleanup_free_ char *procs = NULL;
	DIR *dir;
	struct dirent *de;
	int ret, fd;

	if (depth > 64)
		return ctr_error(err, ELOOP, "cgroup tree too deep");
	ret = cg_read(dirfd, "cgroup.procs", &procs, err);
	if (ret < 0)
		return ret;
	add_pids(procs, pids, n);
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return ctr_errno(err, "open cgroup directory");
	}
	while ((de = readdir(dir))) {
		_cleanup_close_ int child = -1;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		child = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (child < 0 && errno == ENOENT)
			continue; /* removed while we looked */
		if (child < 0) {
			ret = ctr_errno(err, "open sub-cgroup %s", de->d_name);
			break;
		}
		ret = collect(child, pids, n, depth + 1, err);
		if (ret < 0)
			break;
	}
	closedir(dir);
	return ret < 0 ? ret : 0;
}

int cg_tree_pids(int dirfd, pid_t **pids, size_t *n, struct ctr_error *err)
{
	_cleanup_free_ pid_t *list = NULL;
	size_t count = 0;
	int ret;

	ret = collect(dirfd, &list, &count, 0, err);
	if (ret < 0)
		return ret;
	*pids = steal_ptr(list);
	*n = count;
	return 0;
}
