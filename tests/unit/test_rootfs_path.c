/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rootfs/path.c and rootfs/mnt.c helpers: no root needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "rootfs/mnt.h"
#include "rootfs/path.h"
#include "rootfs/rootfs.h"
#include "util.h"

static void assert_clean(const char *in, const char *want)
{
	char *got = rootfs_clean_path(in);

	assert_string_equal(got, want);
	free(got);
}

static void clean_path_drops_dots_and_double_slashes(void **state)
{
	(void)state;
	assert_clean("/a//b/./c/", "/a/b/c");
	assert_clean("a/b", "/a/b");
	assert_clean("/", "/");
	assert_clean("", "/");
	assert_clean("/a/b/../c", "/a/c");
}

static void clean_path_never_climbs_above_root(void **state)
{
	(void)state;
	assert_clean("/../../etc", "/etc");
	assert_clean("a/../../../b/..", "/");
	assert_clean("/..", "/");
}

static void split_path_gives_parent_and_name(void **state)
{
	char *parent = NULL, *name = NULL;

	(void)state;
	assert_int_equal(rootfs_split_path("/dev/net/tun", &parent, &name), 0);
	assert_string_equal(parent, "/dev/net");
	assert_string_equal(name, "tun");
	free(parent);
	free(name);
	assert_int_equal(rootfs_split_path("/x", &parent, &name), 0);
	assert_string_equal(parent, "/");
	assert_string_equal(name, "x");
	free(parent);
	free(name);
	assert_int_equal(rootfs_split_path("/", &parent, &name), -EINVAL);
}

static void mount_attr_translates_flags(void **state)
{
	struct mount_attr a;

	(void)state;
	assert_true(rootfs_mount_attr(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, &a));
	assert_int_equal(a.attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					 MOUNT_ATTR_NOEXEC);
	assert_int_equal(a.attr_clr, 0);
}

static void mount_attr_rw_alone_asks_nothing(void **state)
{
	struct mount_attr a;

	(void)state;
	assert_false(rootfs_mount_attr(0, MS_RDONLY, &a));
	assert_int_equal(a.attr_clr, MOUNT_ATTR_RDONLY);
	/* With something to set, the clear goes along. */
	assert_true(rootfs_mount_attr(MS_NOSUID, MS_RDONLY | MS_NODEV, &a));
	assert_int_equal(a.attr_set, MOUNT_ATTR_NOSUID);
	assert_int_equal(a.attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV);
}

static void mount_attr_atime_replaces_the_field(void **state)
{
	struct mount_attr a;

	(void)state;
	assert_true(rootfs_mount_attr(MS_RELATIME | MS_BIND | MS_REC, 0, &a));
	assert_int_equal(a.attr_set, MOUNT_ATTR_RELATIME);
	assert_int_equal(a.attr_clr, MOUNT_ATTR__ATIME);
	assert_true(rootfs_mount_attr(MS_STRICTATIME, 0, &a));
	assert_int_equal(a.attr_set, MOUNT_ATTR_STRICTATIME);
}

/* A scratch tree: DIR/root (the container root) and DIR/outside (the host). */
struct tree {
	char dir[64];
	char root[96];
	char outside[96];
	int rootfd;
};

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int tree_setup(void **state)
{
	struct tree *t = xzalloc(sizeof(*t));

	strcpy(t->dir, "/tmp/ctr-rootfs-unit-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->root, sizeof(t->root), "%s/root", t->dir);
	snprintf(t->outside, sizeof(t->outside), "%s/outside", t->dir);
	assert_int_equal(mkdir(t->root, 0755), 0);
	assert_int_equal(mkdir(t->outside, 0755), 0);
	t->rootfd = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->rootfd >= 0);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;

	close(t->rootfd);
	nftw(t->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

static bool outside_is_empty(struct tree *t)
{
	char probe[160];
	struct stat st;

	snprintf(probe, sizeof(probe), "%s/x", t->outside);
	return lstat(probe, &st) < 0 && errno == ENOENT;
}

static void mkpath_absolute_symlink_stays_inside_root(void **state)
{
	struct tree *t = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	char link[160], inside[256];
	struct stat st;
	int fd;

	snprintf(link, sizeof(link), "%s/etc", t->root);
	assert_int_equal(symlink(t->outside, link), 0);
	fd = rootfs_mkpath_in_root(t->rootfd, "/etc/x", true, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_true(outside_is_empty(t));
	/* The link's target was made inside the root instead. */
	snprintf(inside, sizeof(inside), "%s%s/x", t->root, t->outside);
	assert_int_equal(stat(inside, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void mkpath_dotdot_symlink_stays_inside_root(void **state)
{
	struct tree *t = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	char link[160];
	int fd;

	snprintf(link, sizeof(link), "%s/up", t->root);
	assert_int_equal(symlink("../outside", link), 0);
	fd = rootfs_mkpath_in_root(t->rootfd, "/up/x", false, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_true(outside_is_empty(t));
}

static void mkpath_follows_dangling_link_after_symlinked_parent(void **state)
{
	struct tree *t = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	char path[200];
	struct stat st;
	int fd;

	/* /a -> /p/q, and /p/q/b -> ../y (missing): /a/b/c is /p/y/c. */
	snprintf(path, sizeof(path), "%s/p/q", t->root);
	assert_int_equal(mkdir_p(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a", t->root);
	assert_int_equal(symlink("/p/q", path), 0);
	snprintf(path, sizeof(path), "%s/p/q/b", t->root);
	assert_int_equal(symlink("../y", path), 0);
	fd = rootfs_mkpath_in_root(t->rootfd, "/a/b/c", true, &err);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/p/y/c", t->root);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void mkpath_dangling_link_climbing_out_stays_inside(void **state)
{
	struct tree *t = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	char path[200];
	struct stat st;
	int fd;

	/* /d -> ../../../../outside/x: ".." stops at the root. */
	snprintf(path, sizeof(path), "%s/d", t->root);
	assert_int_equal(symlink("../../../../outside/x", path), 0);
	fd = rootfs_mkpath_in_root(t->rootfd, "/d", false, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_true(outside_is_empty(t));
	snprintf(path, sizeof(path), "%s/outside/x", t->root);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

static void mkpath_creates_file_and_parents(void **state)
{
	struct tree *t = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	char path[160];
	struct stat st;
	int fd;

	fd = rootfs_mkpath_in_root(t->rootfd, "/a/b/file", false, &err);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/a/b/file", t->root);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* Existing path: opened, not an error. */
	fd = rootfs_mkpath_in_root(t->rootfd, "/a/b/file", false, &err);
	assert_true(fd >= 0);
	close(fd);
}

static void mkpath_through_a_file_fails(void **state)
{
	struct tree *t = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	char path[160];
	int fd;

	snprintf(path, sizeof(path), "%s/f", t->root);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_true(rootfs_mkpath_in_root(t->rootfd, "/f/sub", true, &err) < 0);
	assert_non_null(strstr(err.msg, "/f"));
}

static void open_in_root_resolves_absolute_links_inside(void **state)
{
	struct tree *t = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	char link[160], path[160];
	int fd;

	/* outside/secret exists on the host; /etc -> outside must not reach it. */
	snprintf(path, sizeof(path), "%s/secret", t->outside);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(link, sizeof(link), "%s/etc", t->root);
	assert_int_equal(symlink(t->outside, link), 0);
	assert_int_equal(rootfs_open_in_root(t->rootfd, "/etc/secret", O_RDONLY, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/etc/secret"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(clean_path_drops_dots_and_double_slashes),
	    cmocka_unit_test(clean_path_never_climbs_above_root),
	    cmocka_unit_test(split_path_gives_parent_and_name),
	    cmocka_unit_test(mount_attr_translates_flags),
	    cmocka_unit_test(mount_attr_rw_alone_asks_nothing),
	    cmocka_unit_test(mount_attr_atime_replaces_the_field),
	    cmocka_unit_test_setup_teardown(mkpath_absolute_symlink_stays_inside_root, tree_setup,
					    tree_teardown),
	    cmocka_unit_test_setup_teardown(mkpath_dotdot_symlink_stays_inside_root, tree_setup,
					    tree_teardown),
	    cmocka_unit_test_setup_teardown(mkpath_follows_dangling_link_after_symlinked_parent,
					    tree_setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(mkpath_dangling_link_climbing_out_stays_inside,
					    tree_setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(mkpath_creates_file_and_parents, tree_setup,
					    tree_teardown),
	    cmocka_unit_test_setup_teardown(mkpath_through_a_file_fails, tree_setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(open_in_root_resolves_absolute_links_inside, tree_setup,
					    tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
