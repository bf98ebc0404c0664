/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * path.c - resolving and creating paths inside the container's root.
 *
 * Lookups go through openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): the
 * kernel treats the root fd as "/" for ".." and absolute symlinks, so an
 * untrusted rootfs cannot point a lookup at the host. Creation walks one
 * component at a time below the deepest existing ancestor, with O_NOFOLLOW,
 * and follows a dangling symlink by rewriting the path and resolving again
 * inside the root.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "path.h"
#include "rootfs.h"
#include "syscalls.h"
#include "util.h"

/* Symlinks followed while creating a path, as the kernel's own limit. */
#define MKPATH_MAX_LINKS 40

/* Drop empty and "." components; ".." either removes the previous component
 * (stopping at "/") or, with keep_dotdot, stays for the kernel to resolve. */
static char *normalize(const char *path, bool keep_dotdot)
{
	char *out = xmalloc(strlen(path) + 2);
	size_t n = 0;

	for (const char *p = path; *p;) {
		const char *end = strchrnul(p, '/');
		size_t len = end - p;
		bool dot = len == 1 && p[0] == '.';
		bool dotdot = len == 2 && p[0] == '.' && p[1] == '.';

		if (dotdot && !keep_dotdot) {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the '/' before the dropped component */
		} else if (len > 0 && !dot) {
			out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p = *end ? end + 1 : end;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}

char *rootfs_clean_path(const char *path)
{
	return normalize(path, false);
}

int rootfs_split_path(const char *path, char **parent, char **name)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash[1] == '\0')
		return -EINVAL;
	*name = xstrdup(slash + 1);
	*parent = slash == path ? xstrdup("/") : xstrndup(path, slash - path);
	return 0;
}

int rootfs_openat_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    /* O_TMPFILE includes O_DIRECTORY's bit: test it whole. */
	    .mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? 0644 : 0,
	    .resolve = ROOTFS_RESOLVE,
	};

	for (int tries = 0; tries < 32; tries++) {
		int fd = sys_openat2(rootfd, path, &how);

		if (fd >= 0)
			return fd;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
	return -EAGAIN;
}

void rootfs_fd_path(char buf[ROOTFS_FD_PATH_MAX], int fd)
{
	snprintf(buf, ROOTFS_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

int rootfs_open_in_root(int rootfd, const char *path, int flags, struct ctr_error *err)
{
	int fd = rootfs_openat_in_root(rootfd, path, flags);

	if (fd < 0)
		return ctr_errnum(err, fd, "open %s in rootfs", path);
	return fd;
}

/* Length of the prefix of a cleaned path made of its first k components. */
static size_t prefix_len(const char *path, size_t k)
{
	size_t i = 0;

	while (k > 0 && path[i]) {
		i++;
		while (path[i] && path[i] != '/')
			i++;
		k--;
	}
	return i;
}

static size_t count_components(const char *path)
{
	size_t n = 0;

	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1])
			n++;
	return n;
}

/* Open the deepest existing directory among the ancestors of path (which is
 * missing); *depth receives how many components it spans. */
static int open_existing_ancestor(int rootfd, const char *path, size_t n, size_t *depth,
				  struct ctr_error *err)
{
	for (size_t k = n - 1; k > 0; k--) {
		_cleanup_free_ char *prefix = xstrndup(path, prefix_len(path, k));
		int fd = rootfs_openat_in_root(rootfd, prefix, O_PATH | O_DIRECTORY);

		if (fd >= 0) {
			*depth = k;
			return fd;
		}
		if (fd != -ENOENT)
			return ctr_errnum(err, fd, "open %s in rootfs", prefix);
	}
	*depth = 0;
	int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return ctr_errno(err, "dup rootfs fd");
	return fd;
}

/* Create one component in dirfd; 0, -EEXIST, or another -errno. */
static int create_component(int dirfd, const char *name, bool as_dir)
{
	int fd;

	if (as_dir)
		return mkdirat(dirfd, name, 0755) < 0 ? -errno : 0;
	fd = openat(dirfd, name, O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int mkpath_links(int rootfd, const char *path, bool is_dir, int links,
			struct ctr_error *err);

/* The component after the first `done` ones is a dangling symlink (it exists
 * but the lookup did not find the path): continue with its target in place
 * of the component, resolved inside the root again. ".." stays in: after a
 * symlinked ancestor only the kernel knows what it means. */
static int follow_dangling(int rootfd, const char *path, size_t done, const char *target,
			   bool is_dir, int links, struct ctr_error *err)
{
	size_t head = prefix_len(path, done);
	const char *rest = path + prefix_len(path, done + 1);
	_cleanup_free_ char *joined = NULL, *clean = NULL;

	if (links >= MKPATH_MAX_LINKS)
		return ctr_errnum(err, ELOOP, "create %s in rootfs", path);
	if (target[0] == '/')
		joined = xasprintf("%s%s", target, rest);
	else
		joined = xasprintf("%.*s/%s%s", (int)head, path, target, rest);
	clean = normalize(joined, true);
	return mkpath_links(rootfd, clean, is_dir, links + 1, err);
}

static int mkpath_links(int rootfd, const char *path, bool is_dir, int links, struct ctr_error *err)
{
	size_t n = count_components(path), done = 0;
	_cleanup_close_ int dirfd = -1;
	int fd = rootfs_openat_in_root(rootfd, path, O_PATH);

	if (fd >= 0 || fd != -ENOENT || n == 0)
		return fd >= 0 ? fd : ctr_errnum(err, fd, "open %s in rootfs", path);
	dirfd = open_existing_ancestor(rootfd, path, n, &done, err);
	if (dirfd < 0)
		return dirfd;
	for (; done < n; done++) {
		const char *start = path + prefix_len(path, done) + 1;
		_cleanup_free_ char *name = xstrndup(start, strchrnul(start, '/') - start);
		bool last = done + 1 == n;
		int r;

		/* Never step up from a directory we hold (it may be the root):
		 * what now exists lets the in-root lookup take the ".." instead. */
		if (strcmp(name, "..") == 0) {
			if (links >= MKPATH_MAX_LINKS)
				return ctr_errnum(err, ELOOP, "create %s in rootfs", path);
			return mkpath_links(rootfd, path, is_dir, links + 1, err);
		}
		r = create_component(dirfd, name, !last || is_dir);

		if (r == -EEXIST) {
			char target[PATH_MAX];
			ssize_t len = readlinkat(dirfd, name, target, sizeof(target) - 1);

			/* Not a link: made meanwhile by someone else; open it below. */
			if (len >= 0) {
				target[len] = '\0';
				return follow_dangling(rootfd, path, done, target, is_dir, links,
						       err);
			}
		} else if (r < 0) {
			return ctr_errnum(err, r, "create %.*s in rootfs",
					  (int)prefix_len(path, done + 1), path);
		}
		fd = openat(dirfd, name,
			    O_PATH | O_NOFOLLOW | O_CLOEXEC | (!last || is_dir ? O_DIRECTORY : 0));
		if (fd < 0)
			return ctr_errno(err, "open %.*s in rootfs",
					 (int)prefix_len(path, done + 1), path);
		close(dirfd);
		dirfd = fd;
	}
	return steal_fd(dirfd);
}

int rootfs_mkpath_in_root(int rootfd, const char *path, bool is_dir, struct ctr_error *err)
{
	_cleanup_free_ char *clean = rootfs_clean_path(path);

	return mkpath_links(rootfd, clean, is_dir, 0, err);
}
