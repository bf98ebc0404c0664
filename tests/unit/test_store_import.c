/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Archive import: rootfs tarballs, OCI image layouts and docker-archives
 * built here with libarchive; whiteouts, opaque directories, the image
 * config, and entries that try to leave the rootfs. No root needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "store_test_helpers.h"

static struct store_fixture *fx(void **state)
{
	return *state;
}

static size_t count_entries(struct store_fixture *f, const char *rel)
{
	_cleanup_strv_ char **names = NULL;
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(store_list_dir(&f->st, rel, &names, &err), 0);
	return strv_len(names);
}

static char *image_file(struct store_fixture *f, const char *image, const char *rel)
{
	_cleanup_free_ char *p = xasprintf("images/%s/rootfs/%s", image, rel);
	return read_text_at(f->root, p);
}

static bool image_has(struct store_fixture *f, const char *image, const char *rel)
{
	_cleanup_free_ char *p = xasprintf("images/%s/rootfs/%s", image, rel);
	return path_exists(f->root, p);
}

static const struct tar_entry rootfs_entries[] = {
    {"./", AE_IFDIR, NULL, NULL, 0755},
    {"etc/", AE_IFDIR, NULL, NULL, 0755},
    {"etc/hostname", AE_IFREG, "tarball\n", NULL, 0644},
    {"bin/", AE_IFDIR, NULL, NULL, 0755},
    {"bin/busybox", AE_IFREG, "#!fake\n", NULL, 0755},
    {"bin/sh", AE_IFLNK, NULL, "busybox", 0777},
    {"bin/ash", 0, NULL, "bin/busybox", 0755},
    {"secret", AE_IFREG, "s\n", NULL, 0600},
};

static void imports_a_rootfs_tarball_with_modes_and_links(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *tar = xasprintf("%s/rootfs.tar.gz", f->dir);
	_cleanup_free_ char *secret = NULL, *ash = NULL, *bb = NULL;
	struct stat sa, sb;
	char link[64] = "";

	write_tar(tar, rootfs_entries, ARRAY_SIZE(rootfs_entries), true);
	assert_int_equal(
	    store_image_import_archive(&f->st, "tb", tar, STORE_ARCHIVE_AUTO, NULL, NULL, &err), 0);
	assert_string_equal(image_file(f, "tb", "etc/hostname"), "tarball\n");
	secret = xasprintf("%s/images/tb/rootfs/secret", f->root);
	assert_int_equal(stat(secret, &sa), 0);
	assert_int_equal(sa.st_mode & 07777, 0600);
	ash = xasprintf("%s/images/tb/rootfs/bin/ash", f->root);
	bb = xasprintf("%s/images/tb/rootfs/bin/busybox", f->root);
	assert_int_equal(stat(ash, &sa), 0);
	assert_int_equal(stat(bb, &sb), 0);
	assert_int_equal(sa.st_ino, sb.st_ino);
	assert_int_equal(sb.st_mode & 07777, 0755);
	_cleanup_free_ char *sh = xasprintf("%s/images/tb/rootfs/bin/sh", f->root);
	assert_int_equal(readlink(sh, link, sizeof(link) - 1), 7);
	assert_string_equal(link, "busybox");
	assert_int_equal(count_entries(f, "tmp"), 0);
}

/* The import fails, nothing outside the staging is written, nothing stays. */
static void assert_refused(struct store_fixture *f, const struct tar_entry *e, size_t n,
			   const char *outside)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *tar = xasprintf("%s/evil.tar", f->dir);

	write_tar(tar, e, n, false);
	assert_true(store_image_import_archive(&f->st, "evil", tar, STORE_ARCHIVE_AUTO, NULL, NULL,
					       &err) < 0);
	assert_false(path_exists(outside, "evil"));
	assert_false(path_exists(outside, "escaped"));
	assert_false(store_image_exists(&f->st, "evil"));
	assert_int_equal(count_entries(f, "layers"), 0);
	assert_int_equal(count_entries(f, "tmp"), 0);
}

static void refuses_dotdot_entries(void **state)
{
	struct store_fixture *f = fx(state);
	_cleanup_free_ char *outside = xasprintf("%s/store/tmp", f->dir);
	const struct tar_entry e[] = {
	    {"etc/", AE_IFDIR, NULL, NULL, 0},
	    {"../evil", AE_IFREG, "x", NULL, 0},
	    {"etc/../../../escaped", AE_IFREG, "x", NULL, 0},
	};

	assert_refused(f, e, ARRAY_SIZE(e), outside);
}

static void refuses_absolute_entries(void **state)
{
	struct store_fixture *f = fx(state);
	_cleanup_free_ char *abs = xasprintf("%s/evil", f->dir);
	const struct tar_entry e[] = {
	    {"etc/", AE_IFDIR, NULL, NULL, 0},
	    {abs, AE_IFREG, "x", NULL, 0},
	};

	assert_refused(f, e, ARRAY_SIZE(e), f->dir);
}

static void refuses_writes_through_a_symlink(void **state)
{
	struct store_fixture *f = fx(state);
	const struct tar_entry e[] = {
	    {"etc/", AE_IFDIR, NULL, NULL, 0},
	    {"out", AE_IFLNK, NULL, f->dir, 0},
	    {"out/escaped", AE_IFREG, "x", NULL, 0},
	};

	assert_refused(f, e, ARRAY_SIZE(e), f->dir);
}

static void refuses_a_hardlink_to_outside(void **state)
{
	struct store_fixture *f = fx(state);
	_cleanup_free_ char *target = xasprintf("%s/victim", f->dir);
	const struct tar_entry e[] = {
	    {"etc/", AE_IFDIR, NULL, NULL, 0},
	    {"evil", 0, NULL, target, 0},
	};

	write_text_at(f->dir, "victim", "keep\n");
	assert_refused(f, e, ARRAY_SIZE(e), f->dir);
	assert_string_equal(read_text_at(f->dir, "victim"), "keep\n");
}

static void device_nodes_only_as_root(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *tar = xasprintf("%s/dev.tar", f->dir);
	_cleanup_free_ char *node = NULL;
	const struct tar_entry e[] = {
	    {"dev/", AE_IFDIR, NULL, NULL, 0},
	    {"dev/null", AE_IFCHR, NULL, NULL, 0666},
	    {"etc/", AE_IFDIR, NULL, NULL, 0},
	};
	struct stat sb;

	write_tar(tar, e, ARRAY_SIZE(e), false);
	assert_int_equal(
	    store_image_import_archive(&f->st, "dev", tar, STORE_ARCHIVE_ROOTFS, NULL, NULL, &err),
	    0);
	node = xasprintf("%s/images/dev/rootfs/dev/null", f->root);
	if (geteuid() == 0) {
		assert_int_equal(lstat(node, &sb), 0);
		assert_true(S_ISCHR(sb.st_mode));
		assert_int_equal(sb.st_rdev, makedev(1, 3));
	} else {
		assert_int_equal(lstat(node, &sb), -1);
	}
}

static char *make_oci_layout(struct store_fixture *f);

static void layers_keep_the_rootfs_modes(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *dir = make_oci_layout(f);
	_cleanup_free_ char *root = NULL, *etc = NULL;
	struct stat sb;

	assert_int_equal(
	    store_image_import_archive(&f->st, "app", dir, STORE_ARCHIVE_AUTO, NULL, NULL, &err),
	    0);
	root = xasprintf("%s/images/app/rootfs/", f->root);
	etc = xasprintf("%s/images/app/rootfs/etc", f->root);
	assert_int_equal(stat(root, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	assert_int_equal(stat(etc, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
}

/* ---- image archives ---- */

#define D1 "1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "2222222222222222222222222222222222222222222222222222222222222222"
#define DC "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define DM "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"

static const struct tar_entry layer1[] = {
    {"etc/", AE_IFDIR, NULL, NULL, 0},
    {"etc/gone", AE_IFREG, "lower\n", NULL, 0},
    {"etc/kept", AE_IFREG, "lower\n", NULL, 0},
    {"var/", AE_IFDIR, NULL, NULL, 0},
    {"var/cache/", AE_IFDIR, NULL, NULL, 0},
    {"var/cache/old", AE_IFREG, "lower\n", NULL, 0},
    {"var/cache/sub/", AE_IFDIR, NULL, NULL, 0},
    {"var/cache/sub/deep", AE_IFREG, "lower\n", NULL, 0},
    {"bin/", AE_IFDIR, NULL, NULL, 0},
    {"bin/tool", AE_IFREG, "v1\n", NULL, 0755},
};

/* The opaque marker after a same-layer child: only lower content goes. */
static const struct tar_entry layer2[] = {
    {"etc/", AE_IFDIR, NULL, NULL, 0},
    {"new/", AE_IFDIR, NULL, NULL, 0750},
    {"new/.wh.nothing", AE_IFREG, "", NULL, 0},
    {"new/.wh..wh..opq", AE_IFREG, "", NULL, 0},
    {"new/file", AE_IFREG, "n\n", NULL, 0},
    {"etc/.wh.gone", AE_IFREG, "", NULL, 0},
    {"var/cache/", AE_IFDIR, NULL, NULL, 0},
    {"var/cache/new", AE_IFREG, "upper\n", NULL, 0},
    {"var/cache/.wh..wh..opq", AE_IFREG, "", NULL, 0},
    {"bin/tool", AE_IFREG, "v2\n", NULL, 0755},
};

static const char image_config[] =
    "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
    "\"Entrypoint\":[\"/bin/tool\"],\"Cmd\":[\"--serve\",\"8080\"],"
    "\"Env\":[\"PATH=/bin\",\"MODE=test\"],\"WorkingDir\":\"/srv\",\"User\":\"1000:1000\"}}";

static void write_file_bytes(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, text, strlen(text)), 0);
	close(fd);
}

static char *read_whole(const char *path)
{
	struct ctr_error err = CTR_ERROR_INIT;
	char *data = NULL;
	size_t len;

	assert_int_equal(read_file_at(AT_FDCWD, path, &data, &len, &err), 0);
	return data;
}

/* An OCI image layout directory under DIR/oci with two layers. */
static char *make_oci_layout(struct store_fixture *f)
{
	char *dir = xasprintf("%s/oci", f->dir);
	_cleanup_free_ char *blobs = xasprintf("%s/blobs/sha256", dir);
	_cleanup_free_ char *p = NULL;

	assert_int_equal(mkdir_p(blobs, 0755), 0);
	p = xasprintf("%s/" D1, blobs);
	write_tar(p, layer1, ARRAY_SIZE(layer1), true);
	free(p);
	p = xasprintf("%s/" D2, blobs);
	write_tar(p, layer2, ARRAY_SIZE(layer2), false);
	free(p);
	p = xasprintf("%s/" DC, blobs);
	write_file_bytes(p, image_config);
	free(p);
	p = xasprintf("%s/" DM, blobs);
	write_file_bytes(p, "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" DC "\"},"
			    "\"layers\":[{\"digest\":\"sha256:" D1 "\"},"
			    "{\"digest\":\"sha256:" D2 "\"}]}");
	free(p);
	p = xasprintf("%s/index.json", dir);
	write_file_bytes(p, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
			    "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" DM
			    "\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}");
	free(p);
	p = xasprintf("%s/oci-layout", dir);
	write_file_bytes(p, "{\"imageLayoutVersion\":\"1.0.0\"}");
	return dir;
}

/* Pack a directory's files (one level of blobs/sha256 or flat) into a tar. */
static void pack_dir(const char *dir, const char *const *files, size_t n, const char *tar)
{
	struct tar_entry e[8];
	char *contents[8];

	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, files[i]);
		contents[i] = read_whole(p);
		e[i] = (struct tar_entry){files[i], AE_IFREG, contents[i], NULL, 0644};
	}
	/* Binary blobs (gzip) hold NULs: write them with their real sizes. */
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, tar), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, files[i]);
		struct stat sb;
		assert_int_equal(stat(p, &sb), 0);
		archive_entry_clear(ae);
		archive_entry_set_pathname(ae, e[i].path);
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, sb.st_size);
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, contents[i], (size_t)sb.st_size),
				 sb.st_size);
		free(contents[i]);
	}
	archive_entry_free(ae);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static void assert_layers_applied(struct store_fixture *f, const char *image)
{
	assert_false(image_has(f, image, "etc/gone"));
	assert_false(image_has(f, image, "etc/.wh.gone"));
	assert_string_equal(image_file(f, image, "etc/kept"), "lower\n");
	assert_false(image_has(f, image, "var/cache/old"));
	assert_false(image_has(f, image, "var/cache/sub"));
	assert_false(image_has(f, image, "var/cache/.wh..wh..opq"));
	assert_string_equal(image_file(f, image, "var/cache/new"), "upper\n");
	assert_string_equal(image_file(f, image, "bin/tool"), "v2\n");
	/* Markers in a directory only this layer has are dropped too. */
	assert_string_equal(image_file(f, image, "new/file"), "n\n");
	assert_false(image_has(f, image, "new/.wh.nothing"));
	assert_false(image_has(f, image, "new/.wh..wh..opq"));
}

static void assert_config(const struct store_image_config *c)
{
	assert_int_equal(strv_len(c->entrypoint), 1);
	assert_string_equal(c->entrypoint[0], "/bin/tool");
	assert_int_equal(strv_len(c->cmd), 2);
	assert_string_equal(c->cmd[1], "8080");
	assert_int_equal(strv_len(c->env), 2);
	assert_string_equal(c->env[1], "MODE=test");
	assert_string_equal(c->working_dir, "/srv");
	assert_string_equal(c->user, "1000:1000");
}

static void applies_oci_layers_with_whiteouts_and_opaque_dirs(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_image_config cfg = {0};
	struct store_image_info info = {0};
	_cleanup_free_ char *dir = make_oci_layout(f);

	assert_int_equal(
	    store_image_import_archive(&f->st, "app", dir, STORE_ARCHIVE_AUTO, "test", &cfg, &err),
	    0);
	assert_layers_applied(f, "app");
	assert_config(&cfg);
	assert_int_equal(store_image_info(&f->st, "app", &info, &err), 0);
	assert_config(&info.config);
	store_image_config_free(&cfg);
	store_image_info_free(&info);
}

static void imports_an_oci_archive_tarball(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_image_config cfg = {0};
	_cleanup_free_ char *dir = make_oci_layout(f);
	_cleanup_free_ char *tar = xasprintf("%s/image.tar", f->dir);
	const char *files[] = {"oci-layout",	   "index.json",       "blobs/sha256/" D1,
			       "blobs/sha256/" D2, "blobs/sha256/" DC, "blobs/sha256/" DM};

	pack_dir(dir, files, ARRAY_SIZE(files), tar);
	assert_int_equal(
	    store_image_import_archive(&f->st, "app", tar, STORE_ARCHIVE_AUTO, NULL, &cfg, &err),
	    0);
	assert_layers_applied(f, "app");
	assert_config(&cfg);
	assert_false(image_has(f, "app", "index.json"));
	store_image_config_free(&cfg);
}

static void imports_a_docker_archive(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_image_config cfg = {0};
	_cleanup_free_ char *dir = make_oci_layout(f);
	_cleanup_free_ char *tar = xasprintf("%s/docker.tar", f->dir);
	_cleanup_free_ char *manifest = xasprintf("%s/manifest.json", dir);
	const char *files[] = {"manifest.json", "blobs/sha256/" D1, "blobs/sha256/" D2,
			       "blobs/sha256/" DC};

	write_file_bytes(manifest,
			 "[{\"Config\":\"blobs/sha256/" DC "\",\"RepoTags\":[\"app:1\"],"
			 "\"Layers\":[\"blobs/sha256/" D1 "\",\"blobs/sha256/" D2 "\"]}]");
	pack_dir(dir, files, ARRAY_SIZE(files), tar);
	if (store_image_import_archive(&f->st, "app", tar, STORE_ARCHIVE_IMAGE, NULL, &cfg, &err))
		fail_msg("%s", err.msg);
	assert_layers_applied(f, "app");
	assert_config(&cfg);
	store_image_config_free(&cfg);
}

static void refuses_a_digest_that_names_a_path(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *dir = make_oci_layout(f);
	_cleanup_free_ char *manifest = xasprintf("%s/blobs/sha256/" DM, dir);

	write_file_bytes(manifest, "{\"schemaVersion\":2,\"layers\":[{\"digest\":"
				   "\"sha256:../../../../etc/passwd\"}]}");
	assert_int_equal(
	    store_image_import_archive(&f->st, "app", dir, STORE_ARCHIVE_AUTO, NULL, NULL, &err),
	    -EINVAL);
	assert_non_null(strstr(err.msg, "bad digest"));
	assert_false(store_image_exists(&f->st, "app"));
}

static void refuses_whiteouts_of_dot_and_dotdot(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *dir = make_oci_layout(f);
	_cleanup_free_ char *blob = xasprintf("%s/blobs/sha256/" D2, dir);
	const struct tar_entry evil[] = {
	    {"etc/", AE_IFDIR, NULL, NULL, 0},
	    {".wh...", AE_IFREG, "", NULL, 0},
	    {"etc/.wh..", AE_IFREG, "", NULL, 0},
	};

	write_text_at(f->dir, "sibling", "keep\n");
	write_tar(blob, evil, ARRAY_SIZE(evil), false);
	assert_int_equal(
	    store_image_import_archive(&f->st, "app", dir, STORE_ARCHIVE_AUTO, NULL, NULL, &err),
	    -EPERM);
	assert_non_null(strstr(err.msg, "refusing whiteout"));
	assert_string_equal(read_text_at(f->dir, "sibling"), "keep\n");
	assert_false(store_image_exists(&f->st, "app"));
	assert_int_equal(count_entries(f, "tmp"), 0);
}

static void rootfs_kind_keeps_an_image_archive_as_files(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *dir = make_oci_layout(f);
	_cleanup_free_ char *tar = xasprintf("%s/image.tar", f->dir);
	const char *files[] = {"oci-layout", "index.json"};

	pack_dir(dir, files, ARRAY_SIZE(files), tar);
	assert_int_equal(
	    store_image_import_archive(&f->st, "raw", tar, STORE_ARCHIVE_ROOTFS, NULL, NULL, &err),
	    0);
	assert_true(image_has(f, "raw", "index.json"));
}

struct progress_seen {
	unsigned int calls;
	uint64_t entries, bytes;
};

static void record_progress(uint64_t entries, uint64_t bytes, void *data)
{
	struct progress_seen *s = data;

	assert_true(entries > s->entries && bytes >= s->bytes);
	s->calls++;
	s->entries = entries;
	s->bytes = bytes;
}

static void reports_progress_per_entry_and_restarts_per_unpack(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *tar = xasprintf("%s/rootfs.tar", f->dir);
	struct progress_seen seen = {0};
	uint64_t data = 0;

	for (size_t i = 0; i < ARRAY_SIZE(rootfs_entries); i++)
		data += rootfs_entries[i].content ? strlen(rootfs_entries[i].content) : 0;
	write_tar(tar, rootfs_entries, ARRAY_SIZE(rootfs_entries), false);
	store_set_progress(record_progress, &seen);
	assert_int_equal(
	    store_image_import_archive(&f->st, "p1", tar, STORE_ARCHIVE_ROOTFS, NULL, NULL, &err),
	    0);
	assert_int_equal(seen.calls, ARRAY_SIZE(rootfs_entries));
	assert_int_equal(seen.bytes, data);
	seen = (struct progress_seen){0};
	assert_int_equal(
	    store_image_import_archive(&f->st, "p2", tar, STORE_ARCHIVE_ROOTFS, NULL, NULL, &err),
	    0);
	store_set_progress(NULL, NULL);
	assert_int_equal(seen.entries, ARRAY_SIZE(rootfs_entries));
}

#define T(name) cmocka_unit_test_setup_teardown(name, store_fixture_setup, store_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(imports_a_rootfs_tarball_with_modes_and_links),
	    T(refuses_dotdot_entries),
	    T(refuses_absolute_entries),
	    T(refuses_writes_through_a_symlink),
	    T(refuses_a_hardlink_to_outside),
	    T(device_nodes_only_as_root),
	    T(layers_keep_the_rootfs_modes),
	    T(applies_oci_layers_with_whiteouts_and_opaque_dirs),
	    T(imports_an_oci_archive_tarball),
	    T(imports_a_docker_archive),
	    T(refuses_a_digest_that_names_a_path),
	    T(refuses_whiteouts_of_dot_and_dotdot),
	    T(rootfs_kind_keeps_an_image_archive_as_files),
	    T(reports_progress_per_entry_and_restarts_per_unpack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
