/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * copyup.c - "tmpcopyup" (a runc and crun extension podman sends for
 * --read-only): a tmpfs mounted over a directory of the image starts with
 * a copy of what the directory held, owners and modes kept.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "copyup.h"
#include "util.h"

static int copy_tree(int src, int dst, int depth);

static int copy_data(int src_dir, int dst_dir, const char *name, const struct stat *st)
{
	_cleanup_close_ int in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	off_t off = 0;

	if (in < 0)
		return -errno;
	out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     st->st_mode & 07777);
	if (out < 0)
		return -errno;
	while (off < st->st_size) {
		ssize_t n = sendfile(out, in, &off, (size_t)(st->st_size - off));
		if (n <= 0)
			return n < 0 ? -errno : 0;
	}
	return 0;
}

static int copy_entry(int src, int dst, const char *name, int depth)
{
	struct stat st;
	int r = 0;

	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISREG(st.st_mode)) {
		r = copy_data(src, dst, name, &st);
	} else if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int d = -1;

		if (s < 0 || mkdirat(dst, name, st.st_mode & 07777) < 0)
			return -errno;
		d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		r = d < 0 ? -errno : copy_tree(s, d, depth + 1);
	} else if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);

		if (n < 0)
			return -errno;
		target[n] = '\0';
		r = symlinkat(target, dst, name) < 0 ? -errno : 0;
	} else {
		r = mknodat(dst, name, st.st_mode, st.st_rdev) < 0 ? -errno : 0;
	}
	if (r < 0)
		return r;
	if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	/* chown drops set-id bits: put the mode back (symlinks have none). */
	if (!S_ISLNK(st.st_mode) && fchmodat(dst, name, st.st_mode & 07777, 0) < 0)
		return -errno;
	return 0;
}

/* Recursion is bounded: an image directory deeper than this is not what a
 * tmpfs over /tmp or /run is for. */
#define COPYUP_MAX_DEPTH 64

static int copy_tree(int src, int dst, int depth)
{
	DIR *dir;
	struct dirent *e;
	int fd, r = 0;

	if (depth > COPYUP_MAX_DEPTH)
		return -ELOOP;
	fd = dup(src);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while (r == 0 && (e = readdir(dir))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			r = copy_entry(src, dst, e->d_name, depth);
	}
	closedir(dir);
	return r;
}

int rootfs_copy_up(int src_dir, int dst_dir, struct ctr_error *err)
{
	struct stat st;
	int r;

	if (fstat(src_dir, &st) < 0)
		return ctr_errno(err, "stat");
	r = copy_tree(src_dir, dst_dir, 0);
	if (r < 0)
		return ctr_errnum(err, r, "copy the image's files");
	if (fchown(dst_dir, st.st_uid, st.st_gid) < 0 || fchmod(dst_dir, st.st_mode & 07777) < 0)
		return ctr_errno(err, "set owner and mode");
	return 0;
}
