/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootfs_mount_userns_root and rootfs_copy_shifted on real mounts. Needs
 * root (skipped otherwise): the whole program runs in a private mount
 * namespace, so the host never sees a mount. Files are made in
 * CTR_USERNS_TEST_DIR (default /tmp): point it at other filesystems to see
 * the idmapped path and the shifted-copy fallback on each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "rootfs/idmap.h"
#include "rootfs/store_internal.h"
#include "rootfs/userns_root.h"
#include "syscalls.h"
#include "util.h"

#define A_UID 1065536u
#define A_GID 2065536u
#define B_UID 1131072u
#define B_GID 2131072u

static const struct rootfs_range range_a = {A_UID, A_GID, 65536};
static const struct rootfs_range range_b = {B_UID, B_GID, 65536};

struct fixture {
	char dir[128];
	char lower[160], upper[160], work[160], merged[160], staging[160];
	char upper2[160], work2[160], merged2[160];
};

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, text, strlen(text)), 0);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static char *at(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void make_dir(char *buf, size_t size, const char *base, const char *name)
{
	snprintf(buf, size, "%s/%s", base, name);
	assert_int_equal(mkdir(buf, 0700), 0);
}

/* An image layer: owned by host root, a setuid file, a file of uid 1000. */
static int setup(void **state)
{
	const char *base = getenv("CTR_USERNS_TEST_DIR");
	struct fixture *f;

	if (geteuid() != 0) {
		*state = NULL;
		return 0;
	}
	f = xzalloc(sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/ctr-userns-root-XXXXXX", base ? base : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	/* The container's ids must reach the mounts below it. */
	assert_int_equal(chmod(f->dir, 0755), 0);
	make_dir(f->lower, sizeof(f->lower), f->dir, "lower");
	assert_int_equal(chmod(f->lower, 0755), 0);
	make_dir(f->upper, sizeof(f->upper), f->dir, "upper");
	make_dir(f->work, sizeof(f->work), f->dir, "work");
	make_dir(f->merged, sizeof(f->merged), f->dir, "merged");
	make_dir(f->staging, sizeof(f->staging), f->dir, "staging");
	make_dir(f->upper2, sizeof(f->upper2), f->dir, "upper2");
	make_dir(f->work2, sizeof(f->work2), f->dir, "work2");
	make_dir(f->merged2, sizeof(f->merged2), f->dir, "merged2");
	_cleanup_free_ char *etc = at(f->lower, "etc");
	_cleanup_free_ char *passwd = at(f->lower, "etc/passwd");
	_cleanup_free_ char *su = at(f->lower, "su");
	_cleanup_free_ char *home = at(f->lower, "home");
	assert_int_equal(mkdir(etc, 0755), 0);
	write_text(passwd, "root:x:0:0::/root:/bin/sh\n", 0644);
	write_text(su, "#!/bin/sh\n", 04755);
	assert_int_equal(mkdir(home, 0755), 0);
	assert_int_equal(chown(home, 1000, 1000), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (!f)
		return 0;
	umount2(f->merged, MNT_DETACH);
	umount2(f->merged2, MNT_DETACH);
	store_remove_tree(AT_FDCWD, f->dir);
	free(f);
	return 0;
}

#define SKIP_UNLESS_ROOT(f)                                                                        \
	do {                                                                                       \
		if (!(f)) {                                                                        \
			print_message("skipped: needs root\n");                                    \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static void mount_root(struct fixture *f, const char *upper, const char *work, const char *target,
		       const struct rootfs_range *range, struct rootfs_root_report *report)
{
	char *lowers[] = {f->lower, NULL};
	struct rootfs_layers l = {lowers, upper, work};
	struct ctr_error err = CTR_ERROR_INIT;

	if (rootfs_mount_userns_root(&l, range, target, f->staging, report, &err) < 0)
		fail_msg("mount root: %s", err.msg);
	if (report->copied)
		print_message("# idmapped mounts refused here, shifted copy used: %s\n",
			      report->why);
}

static void assert_owner(const char *path, uid_t uid, gid_t gid)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	if (st.st_uid != uid || st.st_gid != gid)
		fail_msg("%s: owner %u:%u, expected %u:%u", path, st.st_uid, st.st_gid, uid, gid);
}

/* Run fn as the container's root would reach the filesystem: its host ids. */
static int as_ids(uid_t uid, gid_t gid, int (*fn)(const char *), const char *arg)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0)
			_exit(2);
		_exit(fn(arg) == 0 ? 0 : 1);
	}
	assert_true(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}

static int create_file(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

	return fd < 0 ? -1 : close(fd);
}

static int append_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

	return fd < 0 ? -1 : (write_all(fd, "x\n", 2), close(fd));
}

static void image_files_appear_owned_by_the_containers_range(void **state)
{
	struct fixture *f = *state;
	struct rootfs_root_report report;
	struct stat st;

	SKIP_UNLESS_ROOT(f);
	mount_root(f, f->upper, f->work, f->merged, &range_a, &report);
	_cleanup_free_ char *passwd = at(f->merged, "etc/passwd");
	_cleanup_free_ char *home = at(f->merged, "home");
	_cleanup_free_ char *su = at(f->merged, "su");
	assert_owner(f->merged, A_UID, A_GID);
	assert_owner(passwd, A_UID, A_GID);
	assert_owner(home, A_UID + 1000, A_GID + 1000);
	assert_int_equal(stat(su, &st), 0);
	assert_int_equal(st.st_mode & 07777, 04755);
	/* ... while the image on disk is untouched. */
	_cleanup_free_ char *disk = at(f->lower, "etc/passwd");
	assert_owner(disk, 0, 0);
	assert_owner(f->lower, 0, 0);
}

static void files_the_container_creates_land_in_upper_with_its_host_ids(void **state)
{
	struct fixture *f = *state;
	struct rootfs_root_report report;

	SKIP_UNLESS_ROOT(f);
	mount_root(f, f->upper, f->work, f->merged, &range_a, &report);
	_cleanup_free_ char *made = at(f->merged, "made-inside");
	_cleanup_free_ char *passwd = at(f->merged, "etc/passwd");
	assert_int_equal(as_ids(A_UID, A_GID, create_file, made), 0);
	/* Copy-up of an image file keeps the owner the container sees. */
	assert_int_equal(as_ids(A_UID, A_GID, append_file, passwd), 0);
	_cleanup_free_ char *up_made = at(f->upper, "made-inside");
	_cleanup_free_ char *up_passwd = at(f->upper, "etc/passwd");
	_cleanup_free_ char *low_passwd = at(f->lower, "etc/passwd");
	assert_owner(up_made, A_UID, A_GID);
	assert_owner(up_passwd, A_UID, A_GID);
	assert_owner(low_passwd, 0, 0);
}

static void ids_outside_the_range_cannot_write_the_image(void **state)
{
	struct fixture *f = *state;
	struct rootfs_root_report report;

	SKIP_UNLESS_ROOT(f);
	mount_root(f, f->upper, f->work, f->merged, &range_a, &report);
	_cleanup_free_ char *passwd = at(f->merged, "etc/passwd");
	/* Another container's root is nobody here. */
	assert_int_equal(as_ids(B_UID, B_GID, append_file, passwd), 1);
}

static void one_image_serves_two_ranges_at_once(void **state)
{
	struct fixture *f = *state;
	struct rootfs_root_report report;

	SKIP_UNLESS_ROOT(f);
	mount_root(f, f->upper, f->work, f->merged, &range_a, &report);
	mount_root(f, f->upper2, f->work2, f->merged2, &range_b, &report);
	_cleanup_free_ char *a = at(f->merged, "etc/passwd");
	_cleanup_free_ char *b = at(f->merged2, "etc/passwd");
	assert_owner(a, A_UID, A_GID);
	assert_owner(b, B_UID, B_GID);
}

/* A clone's lower is the source's frozen upper, written with range A. */
static void a_layer_written_with_one_range_maps_to_another(void **state)
{
	struct fixture *f = *state;
	struct rootfs_root_report report;

	SKIP_UNLESS_ROOT(f);
	mount_root(f, f->upper, f->work, f->merged, &range_a, &report);
	_cleanup_free_ char *made = at(f->merged, "made-inside");
	assert_int_equal(as_ids(A_UID, A_GID, create_file, made), 0);
	assert_int_equal(umount2(f->merged, 0), 0);

	char *lowers[] = {f->upper, f->lower, NULL};
	struct rootfs_layers l = {lowers, f->upper2, f->work2};
	struct ctr_error err = CTR_ERROR_INIT;
	if (rootfs_mount_userns_root(&l, &range_b, f->merged2, f->staging, &report, &err) < 0)
		fail_msg("mount clone: %s", err.msg);
	_cleanup_free_ char *seen = at(f->merged2, "made-inside");
	_cleanup_free_ char *image = at(f->merged2, "etc/passwd");
	assert_owner(f->merged2, B_UID, B_GID);
	assert_owner(seen, B_UID, B_GID);
	assert_owner(image, B_UID, B_GID);
}

static void a_plain_rootfs_is_bound_idmapped(void **state)
{
	struct fixture *f = *state;
	char *lowers[] = {f->lower, NULL};
	struct rootfs_layers l = {lowers, NULL, NULL};
	struct rootfs_root_report report;
	struct ctr_error err = CTR_ERROR_INIT;

	SKIP_UNLESS_ROOT(f);
	if (rootfs_mount_userns_root(&l, &range_a, f->merged, f->staging, &report, &err) < 0)
		fail_msg("mount plain root: %s", err.msg);
	_cleanup_free_ char *home = at(f->merged, "home");
	assert_owner(f->merged, A_UID, A_GID);
	assert_owner(home, A_UID + 1000, A_GID + 1000);
}

/* The namespace handed in (the init's own, in a start) maps the image's
 * layers: one that maps 0 to range B shows B's ids even though range A
 * was asked for, so no namespace of its own was made for them. */
static void image_layers_are_idmapped_through_the_given_user_namespace(void **state)
{
	struct fixture *f = *state;
	struct spec_id_map uid = {0, B_UID, 65536}, gid = {0, B_GID, 65536};
	struct rootfs_idmap map = {&uid, 1, &gid, 1};
	char *lowers[] = {f->lower, NULL};
	struct rootfs_layers l = {lowers, f->upper, f->work};
	struct rootfs_root_report report;
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_close_ int userns = -1, tree = -1;

	SKIP_UNLESS_ROOT(f);
	userns = rootfs_idmap_userns(&map, &err);
	if (userns < 0)
		fail_msg("user namespace: %s", err.msg);
	tree = rootfs_userns_root_open_in(&l, &range_a, userns, f->staging, &report, &err);
	if (tree < 0)
		fail_msg("open root: %s", err.msg);
	if (report.copied) {
		print_message("skipped: idmapped mounts refused here: %s\n", report.why);
		skip();
	}
	assert_int_equal(sys_move_mount(tree, "", AT_FDCWD, f->merged, MOVE_MOUNT_F_EMPTY_PATH), 0);
	_cleanup_free_ char *passwd = at(f->merged, "etc/passwd");
	_cleanup_free_ char *home = at(f->merged, "home");
	assert_owner(passwd, B_UID, B_GID);
	assert_owner(home, B_UID + 1000, B_GID + 1000);
}

static void shifted_copy_moves_owners_and_keeps_setuid(void **state)
{
	struct fixture *f = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	const struct rootfs_range image = {0, 0, 65536};
	struct stat st;

	SKIP_UNLESS_ROOT(f);
	_cleanup_free_ char *copy = at(f->dir, "copy");
	assert_int_equal(rootfs_copy_shifted(f->lower, copy, &image, &range_a, &err), 0);
	_cleanup_free_ char *passwd = at(copy, "etc/passwd");
	_cleanup_free_ char *home = at(copy, "home");
	_cleanup_free_ char *su = at(copy, "su");
	assert_owner(copy, A_UID, A_GID);
	assert_owner(passwd, A_UID, A_GID);
	assert_owner(home, A_UID + 1000, A_GID + 1000);
	assert_int_equal(stat(su, &st), 0);
	assert_owner(su, A_UID, A_GID);
	assert_int_equal(st.st_mode & 07777, 04755);
	_cleanup_free_ char *orig = at(f->lower, "su");
	assert_owner(orig, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(image_files_appear_owned_by_the_containers_range, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		files_the_container_creates_land_in_upper_with_its_host_ids, setup, teardown),
	    cmocka_unit_test_setup_teardown(ids_outside_the_range_cannot_write_the_image, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(one_image_serves_two_ranges_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_layer_written_with_one_range_maps_to_another, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(a_plain_rootfs_is_bound_idmapped, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		image_layers_are_idmapped_through_the_given_user_namespace, setup, teardown),
	    cmocka_unit_test_setup_teardown(shifted_copy_moves_owners_and_keeps_setuid, setup,
					    teardown),
	};

	if (geteuid() == 0 &&
	    (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)) {
		perror("private mount namespace");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
