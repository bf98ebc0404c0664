/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The store's overlays for real: a busybox image, containers mounted with
 * the options the store hands out, copy-on-write across clones and
 * snapshots, and how long clone and snapshot take. Needs root (overlay
 * mounts); the whole program runs in a private mount namespace so nothing
 * reaches the host, and every test unmounts what it mounted. Without root
 * each test is skipped with the reason printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sched.h>
#include <sys/mount.h>
#include <time.h>

#include "store_test_helpers.h"

#define MOUNTS_MAX 16

struct overlay_fixture {
	struct store_fixture base;
	char mounts[MOUNTS_MAX][128];
	size_t n_mounts;
};

static bool have_root;

#define SKIP_WITHOUT_ROOT()                                                                        \
	do {                                                                                       \
		if (!have_root) {                                                                  \
			print_message("skipped: needs root (overlay mounts in a private "          \
				      "mount namespace)\n");                                       \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static int setup(void **state)
{
	struct overlay_fixture *o = xzalloc(sizeof(*o));
	void *base;

	if (store_fixture_setup(&base) < 0)
		return -1;
	o->base = *(struct store_fixture *)base;
	free(base);
	*state = o;
	return 0;
}

static int teardown(void **state)
{
	struct overlay_fixture *o = *state;
	void *base = xzalloc(sizeof(struct store_fixture));

	/* Unmount before removing: removing through a mount would write whiteouts. */
	while (o->n_mounts > 0)
		umount2(o->mounts[--o->n_mounts], MNT_DETACH);
	*(struct store_fixture *)base = o->base;
	free(o);
	return store_fixture_teardown(&base);
}

/* A busybox rootfs image: the static binary and a link per applet. */
static void make_busybox_image(struct store_fixture *f, const char *name)
{
	static const char *const applets[] = {"sh", "ls", "cat", "echo", "mount", "init"};
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_image_opts opts = {"/bin/busybox", "busybox", NULL};
	_cleanup_free_ char *dir = make_rootfs_dir(f->dir, name);
	_cleanup_free_ char *bb = xasprintf("%s/bin/busybox", dir);
	_cleanup_free_ char *data = NULL;
	size_t len;
	int fd;

	assert_int_equal(read_file_at(AT_FDCWD, "/bin/busybox", &data, &len, &err), 0);
	fd = open(bb, O_CREAT | O_WRONLY | O_CLOEXEC, 0755);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, data, len), 0);
	close(fd);
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++) {
		_cleanup_free_ char *l = xasprintf("%s/bin/%s", dir, applets[i]);
		if (strcmp(applets[i], "sh"))
			assert_int_equal(symlink("busybox", l), 0);
	}
	assert_int_equal(store_image_create_from_dir(&f->st, name, dir, &opts, &err), 0);
}

static void make_container(struct store_fixture *f, const char *name, const char *image)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_container_opts opts = {image, NULL, NULL};

	assert_int_equal(store_container_create(&f->st, name, &opts, &err), 0);
}

static char *mount_container(struct overlay_fixture *o, const char *name)
{
	struct ctr_error err = CTR_ERROR_INIT;
	char *target = xasprintf("%s/mnt-%s", o->base.dir, name);

	assert_true(o->n_mounts < MOUNTS_MAX);
	mkdir(target, 0755);
	if (store_overlay_mount_at(&o->base.st, name, target, &err) < 0)
		fail_msg("%s", err.msg);
	snprintf(o->mounts[o->n_mounts++], sizeof(o->mounts[0]), "%s", target);
	return target;
}

static void unmount_last(struct overlay_fixture *o)
{
	assert_true(o->n_mounts > 0);
	assert_int_equal(umount2(o->mounts[--o->n_mounts], 0), 0);
}

static void unlink_at(const char *base, const char *rel)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", base, rel);

	assert_int_equal(unlink(path), 0);
}

static double elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void writes_stay_in_the_containers_upper(void **state)
{
	struct overlay_fixture *o = *state;
	struct store_fixture *f = &o->base;
	_cleanup_free_ char *root = NULL;

	SKIP_WITHOUT_ROOT();
	make_busybox_image(f, "bb");
	make_container(f, "web", "bb");
	root = mount_container(o, "web");
	assert_string_equal(read_text_at(root, "etc/hostname"), "image\n");
	assert_true(path_exists(root, "bin/busybox"));
	write_text_at(root, "etc/hostname", "web\n");
	write_text_at(root, "new-file", "mine\n");
	unlink_at(root, "etc/os-release");
	unmount_last(o);

	assert_string_equal(read_text_at(f->root, "images/bb/rootfs/etc/hostname"), "image\n");
	assert_true(path_exists(f->root, "images/bb/rootfs/etc/os-release"));
	assert_false(path_exists(f->root, "images/bb/rootfs/new-file"));
	assert_string_equal(read_text_at(f->root, "containers/web/upper/etc/hostname"), "web\n");
}

static void clones_are_independent_both_ways(void **state)
{
	struct overlay_fixture *o = *state;
	struct store_fixture *f = &o->base;
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *src = NULL, *dst = NULL;

	SKIP_WITHOUT_ROOT();
	make_busybox_image(f, "bb");
	make_container(f, "src", "bb");
	src = mount_container(o, "src");
	write_text_at(src, "etc/hostname", "src\n");
	unlink_at(src, "etc/os-release");
	unmount_last(o);

	assert_int_equal(store_container_clone(&f->st, "src", "dst", &err), 0);
	src = (free(src), mount_container(o, "src"));
	dst = mount_container(o, "dst");
	/* The clone sees the source's changes, deletions included (whiteouts
	 * in a frozen upper keep working as a lower layer). */
	assert_string_equal(read_text_at(dst, "etc/hostname"), "src\n");
	assert_false(path_exists(dst, "etc/os-release"));
	write_text_at(dst, "only-in-dst", "d\n");
	write_text_at(src, "only-in-src", "s\n");
	write_text_at(dst, "etc/hostname", "dst\n");
	assert_false(path_exists(src, "only-in-dst"));
	assert_false(path_exists(dst, "only-in-src"));
	assert_string_equal(read_text_at(src, "etc/hostname"), "src\n");
	assert_false(path_exists(f->root, "images/bb/rootfs/only-in-dst"));
	unmount_last(o);
	unmount_last(o);
}

static void snapshot_restore_drops_later_changes(void **state)
{
	struct overlay_fixture *o = *state;
	struct store_fixture *f = &o->base;
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *root = NULL;

	SKIP_WITHOUT_ROOT();
	make_busybox_image(f, "bb");
	make_container(f, "web", "bb");
	root = mount_container(o, "web");
	write_text_at(root, "etc/hostname", "before\n");
	unmount_last(o);
	assert_int_equal(store_snapshot_create(&f->st, "web", "s1", &err), 0);
	free(root);
	root = mount_container(o, "web");
	write_text_at(root, "etc/hostname", "after\n");
	write_text_at(root, "later", "x\n");
	unmount_last(o);
	assert_int_equal(store_snapshot_restore(&f->st, "web", "s1", &err), 0);
	free(root);
	root = mount_container(o, "web");
	assert_string_equal(read_text_at(root, "etc/hostname"), "before\n");
	assert_false(path_exists(root, "later"));
	unmount_last(o);
}

static void deep_snapshot_chains_mount_with_their_whiteouts(void **state)
{
	struct overlay_fixture *o = *state;
	struct store_fixture *f = &o->base;
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *root = NULL;
	struct store_mount_spec spec = {0};

	SKIP_WITHOUT_ROOT();
	make_busybox_image(f, "bb");
	make_container(f, "web", "bb");
	/* Each generation adds gen-N and deletes gen-(N-1), then is frozen. */
	for (int i = 0; i < 40; i++) {
		char name[16], prev[16];

		root = mount_container(o, "web");
		snprintf(name, sizeof(name), "gen-%d", i);
		write_text_at(root, name, name);
		if (i > 0) {
			snprintf(prev, sizeof(prev), "gen-%d", i - 1);
			unlink_at(root, prev);
		}
		unmount_last(o);
		free(root);
		snprintf(name, sizeof(name), "s%d", i);
		assert_int_equal(store_snapshot_create(&f->st, "web", name, &err), 0);
	}
	assert_int_equal(store_container_rootfs_mount_spec(&f->st, "web", &spec, &err), 0);
	assert_int_equal(strv_len(spec.lowerdirs), 41);
	root = mount_container(o, "web");
	assert_string_equal(read_text_at(root, "gen-39"), "gen-39");
	assert_false(path_exists(root, "gen-38"));
	assert_false(path_exists(root, "gen-0"));
	assert_true(path_exists(root, "bin/busybox"));
	unmount_last(o);
	store_mount_spec_free(&spec);
}

/* Fill the container's upper with n files (a used container), as root. */
static void fill_upper(struct overlay_fixture *o, const char *name, const char *sub, int n)
{
	_cleanup_free_ char *root = mount_container(o, name);
	_cleanup_free_ char *dir = xasprintf("%s/%s", root, sub);

	assert_int_equal(mkdir(dir, 0755), 0);
	for (int i = 0; i < n; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "%s/f%05d", sub, i);
		write_text_at(root, rel, "payload\n");
	}
	unmount_last(o);
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

#define TIMING_RUNS 5

/* Median of TIMING_RUNS, so one stall of a busy host does not decide. */
static double median_ms(double *ms)
{
	qsort(ms, TIMING_RUNS, sizeof(double), compare_doubles);
	return ms[TIMING_RUNS / 2];
}

static void clone_and_snapshot_take_constant_time(void **state)
{
	struct overlay_fixture *o = *state;
	struct store_fixture *f = &o->base;
	struct ctr_error err = CTR_ERROR_INIT;
	double clone_ms[TIMING_RUNS], snap_ms[TIMING_RUNS], restore_ms[TIMING_RUNS];
	struct timespec t0, t1;

	SKIP_WITHOUT_ROOT();
	make_busybox_image(f, "bb");
	make_container(f, "src", "bb");
	fill_upper(o, "src", "data", 5000);
	for (int i = 0; i < TIMING_RUNS; i++) {
		char dst[16], sub[16], snap[16];

		snprintf(dst, sizeof(dst), "dst%d", i);
		snprintf(sub, sizeof(sub), "more%d", i);
		snprintf(snap, sizeof(snap), "s%d", i);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(store_container_clone(&f->st, "src", dst, &err), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		clone_ms[i] = elapsed_ms(&t0, &t1);
		fill_upper(o, "src", sub, 100);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(store_snapshot_create(&f->st, "src", snap, &err), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		snap_ms[i] = elapsed_ms(&t0, &t1);
		snprintf(sub, sizeof(sub), "dropped%d", i);
		fill_upper(o, "src", sub, 100);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(store_snapshot_restore(&f->st, "src", snap, &err), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		restore_ms[i] = elapsed_ms(&t0, &t1);
	}
	print_message("median of %d: clone of a container with 5000+ changed files %.2f ms; "
		      "snapshot %.2f ms; restore (100 files dropped) %.2f ms\n",
		      TIMING_RUNS, median_ms(clone_ms), median_ms(snap_ms), median_ms(restore_ms));
	/* The bound for a Debian container is 100 ms. */
	assert_true(median_ms(clone_ms) < 100);
	assert_true(median_ms(snap_ms) < 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(writes_stay_in_the_containers_upper, setup, teardown),
	    cmocka_unit_test_setup_teardown(clones_are_independent_both_ways, setup, teardown),
	    cmocka_unit_test_setup_teardown(snapshot_restore_drops_later_changes, setup, teardown),
	    cmocka_unit_test_setup_teardown(deep_snapshot_chains_mount_with_their_whiteouts, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(clone_and_snapshot_take_constant_time, setup, teardown),
	};

	/* Every mount of this program lives and dies in its own namespace. */
	have_root = geteuid() == 0 && unshare(CLONE_NEWNS) == 0 &&
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
