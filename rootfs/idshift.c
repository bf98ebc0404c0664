/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idshift.c - the fallback of userns_root.c where idmapped mounts are
 * refused: a copy of a layer whose owners are moved into the container's
 * host range, made once and kept next to the layer.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "copyup.h"
#include "userns_root.h"
#include "util.h"

#define SHIFT_MAX_DEPTH 256

static uint32_t shift_id(uint32_t id, uint32_t from, uint32_t to, uint32_t size)
{
	return id >= from && id - from < size ? id - from + to : id;
}

static int shift_entry(int dirfd, const char *name, const struct rootfs_range *from,
		       const struct rootfs_range *to)
{
	struct stat st;
	uid_t uid;
	gid_t gid;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	uid = shift_id(st.st_uid, from->uid, to->uid, to->size);
	gid = shift_id(st.st_gid, from->gid, to->gid, to->size);
	if (uid == st.st_uid && gid == st.st_gid)
		return 0;
	if (fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	/* chown drops set-id bits: put the mode back (symlinks have none). */
	if (!S_ISLNK(st.st_mode) && fchmodat(dirfd, name, st.st_mode & 07777, 0) < 0)
		return -errno;
	return 0;
}

static int shift_tree(int dirfd, const struct rootfs_range *from, const struct rootfs_range *to,
		      int depth)
{
	struct dirent *e;
	DIR *dir;
	int fd, r = 0;

	if (depth > SHIFT_MAX_DEPTH)
		return -ELOOP;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while (r == 0 && (e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type == DT_DIR) {
			_cleanup_close_ int sub = openat(
			    dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = sub < 0 ? -errno : shift_tree(sub, from, to, depth + 1);
		}
		if (r == 0)
			r = shift_entry(dirfd, e->d_name, from, to);
	}
	closedir(dir);
	return r;
}

int rootfs_copy_shifted(const char *src, const char *dst, const struct rootfs_range *from,
			const struct rootfs_range *to, struct ctr_error *err)
{
	_cleanup_close_ int in = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	int r;

	if (in < 0)
		return ctr_errno(err, "open %s", src);
	if (mkdir(dst, 0700) < 0)
		return ctr_errno(err, "create %s", dst);
	out = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (out < 0)
		return ctr_errno(err, "open %s", dst);
	r = rootfs_copy_up(in, out, err);
	if (r < 0)
		return ctr_error_prefix(err, "copy %s", src);
	r = shift_tree(out, from, to, 0);
	if (r == 0)
		r = shift_entry(out, ".", from, to);
	if (r < 0)
		return ctr_errnum(err, r, "shift the owners of %s", dst);
	return 0;
}
