/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for the store tests: a scratch store under /tmp/ctr-store-test-*
 * removed after each test, small files, and tar archives written with
 * libarchive from a table of entries.
 */
#ifndef CTR_TEST_STORE_HELPERS_H
#define CTR_TEST_STORE_HELPERS_H

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "rootfs/store.h"
#include "rootfs/store_internal.h"
#include "util.h"

struct store_fixture {
	char dir[64];  /* /tmp/ctr-store-test-XXXXXX */
	char root[96]; /* DIR/store */
	struct store st;
};

static inline int store_fixture_setup(void **state)
{
	struct store_fixture *f = xzalloc(sizeof(*f));
	struct ctr_error err = CTR_ERROR_INIT;

	snprintf(f->dir, sizeof(f->dir), "/tmp/ctr-store-test-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->root, sizeof(f->root), "%s/store", f->dir);
	if (store_open(f->root, true, &f->st, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static inline int store_fixture_teardown(void **state)
{
	struct store_fixture *f = *state;

	store_close(&f->st);
	store_remove_tree(AT_FDCWD, f->dir);
	free(f);
	return 0;
}

static inline void write_text_at(const char *base, const char *rel, const char *text)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, text, strlen(text)), 0);
	close(fd);
}

static inline char *read_text_at(const char *base, const char *rel)
{
	char path[512];
	char *data = NULL;
	size_t len;
	struct ctr_error err = CTR_ERROR_INIT;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	if (read_file_at(AT_FDCWD, path, &data, &len, &err) < 0)
		return NULL;
	return data;
}

static inline bool path_exists(const char *base, const char *rel)
{
	char path[512];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	return lstat(path, &sb) == 0;
}

/* A directory DIR/name holding a tiny rootfs: etc/hostname, bin/, a symlink. */
static inline char *make_rootfs_dir(const char *dir, const char *name)
{
	char *root = xasprintf("%s/%s", dir, name);
	char path[512];

	assert_int_equal(mkdir(root, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/bin", root);
	assert_int_equal(mkdir(path, 0755), 0);
	write_text_at(root, "etc/hostname", "image\n");
	write_text_at(root, "etc/os-release", "ID=test\n");
	snprintf(path, sizeof(path), "%s/bin/sh", root);
	assert_int_equal(symlink("busybox", path), 0);
	return root;
}

/* ---- tar archives ---- */

struct tar_entry {
	const char *path;
	mode_t type; /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR (1:3); 0 = hardlink to link */
	const char *content;
	const char *link;
	mode_t mode;
};

/* Write entries as a tar (gzip when gzip is set) to path. */
static inline void write_tar(const char *path, const struct tar_entry *entries, size_t n, bool gzip)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	archive_write_set_format_pax_restricted(a);
	if (gzip)
		archive_write_add_filter_gzip(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		const struct tar_entry *t = &entries[i];
		size_t len = t->content ? strlen(t->content) : 0;

		archive_entry_clear(e);
		archive_entry_set_pathname(e, t->path);
		archive_entry_set_mtime(e, 1700000000, 0);
		if (t->type == 0) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, t->link);
			len = 0;
		} else {
			archive_entry_set_filetype(e, t->type);
		}
		archive_entry_set_perm(e, t->mode ? t->mode : (t->type == AE_IFDIR ? 0755 : 0644));
		if (t->type == AE_IFLNK)
			archive_entry_set_symlink(e, t->link);
		if (t->type == AE_IFCHR)
			archive_entry_set_rdev(e, makedev(1, 3));
		archive_entry_set_size(e, (la_int64_t)len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, t->content, len), (la_ssize_t)len);
	}
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

#endif
