/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The store's layout, names, metadata, clone/snapshot bookkeeping and crash
 * recovery, on a scratch store under /tmp. No mounts, no root needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>

#include "store_test_helpers.h"

static struct store_fixture *fx(void **state)
{
	return *state;
}

static void make_image(struct store_fixture *f, const char *name)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_image_opts opts = {"test", "busybox", NULL};
	_cleanup_free_ char *dir = make_rootfs_dir(f->dir, name);

	assert_int_equal(store_image_create_from_dir(&f->st, name, dir, &opts, &err), 0);
}

static void make_container(struct store_fixture *f, const char *name, const char *image)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_container_opts opts = {image, NULL, "init = /sbin/init\n"};

	assert_int_equal(store_container_create(&f->st, name, &opts, &err), 0);
}

static struct store_mount_spec spec_of(struct store_fixture *f, const char *name)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_mount_spec spec = {0};

	assert_int_equal(store_container_rootfs_mount_spec(&f->st, name, &spec, &err), 0);
	return spec;
}

static size_t count_entries(struct store_fixture *f, const char *rel)
{
	_cleanup_strv_ char **names = NULL;
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(store_list_dir(&f->st, rel, &names, &err), 0);
	return strv_len(names);
}

static void creates_layout_with_private_directories(void **state)
{
	struct store_fixture *f = fx(state);
	const char *dirs[] = {"", "tmp", "layers", "images", "containers"};
	char path[256];
	struct stat sb;

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", f->root, dirs[i]);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_mode & 07777, 0700);
	}
}

static void rejects_bad_names_with_the_reason(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_container_opts opts = {"img", NULL, NULL};

	assert_int_equal(store_container_create(&f->st, "a/b", &opts, &err), -EINVAL);
	assert_string_equal(err.msg, "invalid container name 'a/b': must not contain '/'");
	ctr_error_clear(&err);
	assert_int_equal(store_image_remove(&f->st, "..", &err), -EINVAL);
	assert_string_equal(err.msg, "invalid image name '..': must not be '.' or '..'");
	assert_int_equal(count_entries(f, "containers"), 0);
}

static void image_from_dir_records_metadata(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_image_info info = {0};
	_cleanup_strv_ char **names = NULL;
	_cleanup_free_ char *link = NULL;

	make_image(f, "base");
	assert_false(path_exists(f->dir, "base")); /* moved, not copied */
	assert_int_equal(store_image_list(&f->st, &names, &err), 0);
	assert_int_equal(strv_len(names), 1);
	assert_string_equal(names[0], "base");
	assert_int_equal(store_image_info(&f->st, "base", &info, &err), 0);
	assert_string_equal(info.source, "test");
	assert_string_equal(info.template, "busybox");
	assert_int_equal(info.size, strlen("image\n") + strlen("ID=test\n"));
	assert_non_null(info.created);
	link = xasprintf("images/base/rootfs/etc/hostname");
	assert_string_equal(read_text_at(f->root, link), "image\n");
	store_image_info_free(&info);
}

static void refuses_an_existing_image_name(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_image_opts opts = {0};
	_cleanup_free_ char *dir = NULL;

	make_image(f, "base");
	dir = make_rootfs_dir(f->dir, "again");
	assert_int_equal(store_image_create_from_dir(&f->st, "base", dir, &opts, &err), -EEXIST);
	assert_string_equal(err.msg, "image 'base' already exists");
	assert_true(path_exists(f->dir, "again")); /* left where it was */
	assert_int_equal(count_entries(f, "layers"), 1);
	assert_int_equal(count_entries(f, "tmp"), 0);
}

static void container_stands_on_its_image_with_an_empty_upper(void **state)
{
	struct store_fixture *f = fx(state);
	struct store_mount_spec spec;
	_cleanup_free_ char *config = NULL, *expect = NULL;
	struct store_image_info info = {0};
	struct ctr_error err = CTR_ERROR_INIT;

	make_image(f, "base");
	make_container(f, "web", "base");
	spec = spec_of(f, "web");
	assert_int_equal(store_image_info(&f->st, "base", &info, &err), 0);
	expect = xasprintf("%s/layers/%s/root", f->root, info.layer);
	assert_int_equal(strv_len(spec.lowerdirs), 1);
	assert_string_equal(spec.lowerdirs[0], expect);
	assert_non_null(strstr(spec.options, "upperdir="));
	assert_non_null(strstr(spec.options, "/containers/web/upper,workdir="));
	assert_int_equal(count_entries(f, "containers/web/upper"), 0);
	config = read_text_at(f->root, "containers/web/config");
	assert_string_equal(config, "init = /sbin/init\n");
	store_mount_spec_free(&spec);
	store_image_info_free(&info);
}

static void image_removal_waits_for_its_containers(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;

	make_image(f, "base");
	make_container(f, "web", "base");
	assert_int_equal(store_image_remove(&f->st, "base", &err), -EBUSY);
	assert_string_equal(err.msg, "image 'base' is used by container 'web'");
	assert_int_equal(store_container_destroy(&f->st, "web", &err), 0);
	assert_false(store_container_exists(&f->st, "web"));
	assert_int_equal(store_image_remove(&f->st, "base", &err), 0);
	assert_int_equal(count_entries(f, "images"), 0);
	assert_int_equal(count_entries(f, "layers"), 0);
	assert_int_equal(count_entries(f, "tmp"), 0);
}

static void image_removal_sees_clones_and_snapshots(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;

	make_image(f, "base");
	make_container(f, "src", "base");
	write_text_at(f->root, "containers/src/upper/changed", "x\n");
	assert_int_equal(store_container_clone(&f->st, "src", "dst", &err), 0);
	assert_int_equal(store_container_destroy(&f->st, "src", &err), 0);
	assert_int_equal(store_image_remove(&f->st, "base", &err), -EBUSY);
	assert_string_equal(err.msg, "image 'base' is used by container 'dst'");
	/* A snapshot stands on the same chain, down to the image. */
	assert_int_equal(store_snapshot_create(&f->st, "dst", "keep", &err), 0);
	assert_int_equal(store_image_remove(&f->st, "base", &err), -EBUSY);
	assert_int_equal(store_container_destroy(&f->st, "dst", &err), 0);
	assert_int_equal(store_image_remove(&f->st, "base", &err), 0);
	assert_int_equal(count_entries(f, "layers"), 0);
}

static void clone_freezes_the_upper_into_a_shared_layer(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_mount_spec a, b, before;
	_cleanup_free_ char *frozen = NULL;

	make_image(f, "base");
	make_container(f, "src", "base");
	write_text_at(f->root, "containers/src/upper/changed", "by src\n");
	before = spec_of(f, "src");
	if (store_container_clone(&f->st, "src", "dst", &err) < 0)
		fail_msg("%s", err.msg);
	a = spec_of(f, "src");
	b = spec_of(f, "dst");
	assert_int_equal(strv_len(a.lowerdirs), 2);
	assert_string_equal(a.lowerdirs[0], b.lowerdirs[0]);
	assert_string_equal(a.lowerdirs[1], before.lowerdirs[0]);
	frozen = xasprintf("%s/changed", a.lowerdirs[0]);
	assert_string_equal(read_text_at("", frozen), "by src\n");
	assert_int_equal(count_entries(f, "containers/src/upper"), 0);
	assert_false(path_exists(f->root, "containers/src/upper/changed"));
	assert_string_equal(read_text_at(f->root, "containers/dst/config"), "init = /sbin/init\n");
	assert_int_equal(count_entries(f, "tmp"), 0);
	store_mount_spec_free(&a);
	store_mount_spec_free(&b);
	store_mount_spec_free(&before);
}

static void clone_of_an_untouched_container_adds_no_layer(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;

	make_image(f, "base");
	make_container(f, "src", "base");
	assert_int_equal(store_container_clone(&f->st, "src", "dst", &err), 0);
	assert_int_equal(count_entries(f, "layers"), 1);
	assert_int_equal(store_container_clone(&f->st, "src", "dst", &err), -EEXIST);
	assert_string_equal(err.msg, "clone src to dst: container 'dst' already exists");
}

static void snapshot_restore_brings_back_the_content_of_then(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_strv_ char **snaps = NULL;
	struct store_mount_spec spec;
	_cleanup_free_ char *kept = NULL;

	make_image(f, "base");
	make_container(f, "web", "base");
	write_text_at(f->root, "containers/web/upper/one", "1\n");
	assert_int_equal(store_snapshot_create(&f->st, "web", "s1", &err), 0);
	write_text_at(f->root, "containers/web/upper/two", "2\n");
	assert_int_equal(store_snapshot_create(&f->st, "web", "s2", &err), 0);
	write_text_at(f->root, "containers/web/upper/three", "3\n");
	assert_int_equal(store_snapshot_list(&f->st, "web", &snaps, &err), 0);
	assert_int_equal(strv_len(snaps), 2);
	assert_string_equal(snaps[0], "s1");
	assert_string_equal(snaps[1], "s2");

	assert_int_equal(store_snapshot_restore(&f->st, "web", "s1", &err), 0);
	spec = spec_of(f, "web");
	assert_int_equal(strv_len(spec.lowerdirs), 2);
	kept = xasprintf("%s/one", spec.lowerdirs[0]);
	assert_string_equal(read_text_at("", kept), "1\n");
	assert_int_equal(count_entries(f, "containers/web/upper"), 0);
	/* s2 still holds its layer; removing it lets that layer go. */
	assert_int_equal(count_entries(f, "layers"), 3);
	assert_int_equal(store_snapshot_remove(&f->st, "web", "s2", &err), 0);
	assert_int_equal(count_entries(f, "layers"), 2);
	assert_int_equal(store_snapshot_restore(&f->st, "web", "nope", &err), -ENOENT);
	assert_string_equal(err.msg,
			    "restore web to nope: snapshot 'nope' of 'web' does not exist");
	store_mount_spec_free(&spec);
}

static void layer_chains_stay_mountable_with_one_page_of_options(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_mount_spec spec;
	int ret = 0, i;

	make_image(f, "base");
	make_container(f, "web", "base");
	for (i = 0; i < 2 * STORE_LAYERS_MAX && ret == 0; i++) {
		char snap[16];

		snprintf(snap, sizeof(snap), "s%d", i);
		write_text_at(f->root, "containers/web/upper/f", snap);
		ret = store_snapshot_create(&f->st, "web", snap, &err);
	}
	assert_int_equal(ret, -E2BIG);
	assert_non_null(strstr(err.msg, "stands on too many layers"));
	assert_true(i > 10 && i <= STORE_LAYERS_MAX);
	spec = spec_of(f, "web");
	assert_true(strlen(spec.options) < 4096);
	/* The refused snapshot changed nothing: the upper still holds its file. */
	assert_true(path_exists(f->root, "containers/web/upper/f"));
	assert_int_equal(count_entries(f, "tmp"), 0);
	store_mount_spec_free(&spec);
}

static void container_from_a_dir_owns_a_private_layer(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *dir = make_rootfs_dir(f->dir, "private");
	struct store_container_opts opts = {NULL, dir, NULL};
	_cleanup_free_ char *image = NULL;

	assert_int_equal(store_container_create(&f->st, "solo", &opts, &err), 0);
	assert_int_equal(store_container_image(&f->st, "solo", &image, &err), 0);
	assert_null(image);
	assert_int_equal(count_entries(f, "layers"), 1);
	assert_int_equal(store_container_destroy(&f->st, "solo", &err), 0);
	assert_int_equal(count_entries(f, "layers"), 0);
}

/* ---- a killed process ---- */

static void lock_removes_dead_staging_and_keeps_live_staging(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_tmp live = {0};

	assert_int_equal(mkdirat(f->st.dirfd, "tmp/0123456789abcdef", 0700), 0);
	write_text_at(f->root, "tmp/0123456789abcdef/half-written", "x");
	assert_int_equal(store_tmp_create(&f->st, &live, &err), 0);
	assert_int_equal(store_gc(&f->st, &err), 0);
	assert_false(path_exists(f->root, "tmp/0123456789abcdef"));
	assert_true(path_exists(f->root, live.name));
	store_tmp_release(&f->st, &live);
	assert_int_equal(count_entries(f, "tmp"), 0);
}

static void lock_replays_a_committed_journal(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_strv_ char **names = NULL;

	/* A process killed after writing its journal and the first rename. */
	assert_int_equal(mkdirat(f->st.dirfd, "tmp/00000000000000aa", 0700), 0);
	assert_int_equal(mkdirat(f->st.dirfd, "tmp/00000000000000aa/c", 0700), 0);
	write_text_at(f->root, "tmp/00000000000000aa/c/meta.json", "{\"layer\":\"x\"}");
	assert_int_equal(mkdirat(f->st.dirfd, "layers/00000000000000bb", 0700), 0);
	write_text_at(f->root, "tmp/00000000000000aa/journal",
		      "M tmp/00000000000000aa/l layers/00000000000000bb\n"
		      "M tmp/00000000000000aa/c containers/back\n");
	assert_int_equal(store_container_list(&f->st, &names, &err), 0);
	assert_int_equal(strv_len(names), 1);
	assert_string_equal(names[0], "back");
	assert_int_equal(count_entries(f, "tmp"), 0);
}

static void gc_removes_layers_nothing_reaches(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;

	make_image(f, "base");
	assert_int_equal(mkdirat(f->st.dirfd, "layers/00000000000000cc", 0700), 0);
	assert_int_equal(count_entries(f, "layers"), 2);
	assert_int_equal(store_gc(&f->st, &err), 0);
	assert_int_equal(count_entries(f, "layers"), 1);
}

static void lock_is_exclusive_between_processes(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *lock = xasprintf("%s/lock", f->root);
	int other = open(lock, O_RDWR | O_CLOEXEC);

	assert_true(other >= 0);
	assert_int_equal(store_lock(&f->st, true, &err), 0);
	assert_int_equal(flock(other, LOCK_SH | LOCK_NB), -1);
	store_unlock(&f->st);
	assert_int_equal(flock(other, LOCK_SH | LOCK_NB), 0);
	close(other);
}

/* Whole or absent: the container's meta, upper and work all exist and its
 * layer chain resolves, and the file written before the clone is visible
 * in its upper or in its top layer. */
static void assert_whole(struct store_fixture *f, const char *name)
{
	struct store_mount_spec spec = spec_of(f, name);
	_cleanup_free_ char *in_layer = xasprintf("%s/changed", spec.lowerdirs[0]);
	_cleanup_free_ char *in_upper = xasprintf("%s/changed", spec.upperdir);
	struct stat sb;

	assert_int_equal(stat(spec.upperdir, &sb), 0);
	assert_int_equal(stat(spec.workdir, &sb), 0);
	assert_true(stat(in_layer, &sb) == 0 || stat(in_upper, &sb) == 0);
	store_mount_spec_free(&spec);
}

/* Run op in a child killed with SIGKILL after 0-4 ms. */
static void run_and_kill(struct store_fixture *f, int (*op)(struct store *, struct ctr_error *))
{
	struct ctr_error err = CTR_ERROR_INIT;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct store st;
		if (store_open(f->root, false, &st, &err) < 0 || op(&st, &err) < 0)
			_exit(1);
		_exit(0);
	}
	usleep((useconds_t)(rand() % 4000));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* The next locker finishes or drops what the kill interrupted. */
	assert_int_equal(store_gc(&f->st, &err), 0);
	assert_int_equal(count_entries(f, "tmp"), 0);
}

#define KILL_RUNS 40

static int clone_src(struct store *st, struct ctr_error *err)
{
	return store_container_clone(st, "src", "dst", err);
}

static void killed_clone_leaves_whole_containers(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	int finished = 0;

	make_image(f, "base");
	make_container(f, "src", "base");
	for (int i = 0; i < KILL_RUNS; i++) {
		write_text_at(f->root, "containers/src/upper/changed", "x\n");
		run_and_kill(f, clone_src);
		assert_whole(f, "src");
		if (store_container_exists(&f->st, "dst")) {
			finished++;
			assert_whole(f, "dst");
			assert_int_equal(store_container_destroy(&f->st, "dst", &err), 0);
		}
	}
	print_message("clones killed at random points: %d of %d had finished\n", finished,
		      KILL_RUNS);
}

static int snapshot_src(struct store *st, struct ctr_error *err)
{
	return store_snapshot_create(st, "src", "snap", err);
}

static void killed_snapshot_leaves_a_whole_container(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	int finished = 0;

	make_image(f, "base");
	make_container(f, "src", "base");
	for (int i = 0; i < KILL_RUNS; i++) {
		write_text_at(f->root, "containers/src/upper/changed", "x\n");
		run_and_kill(f, snapshot_src);
		assert_whole(f, "src");
		if (path_exists(f->root, "containers/src/snapshots/snap")) {
			finished++;
			assert_int_equal(store_snapshot_restore(&f->st, "src", "snap", &err), 0);
			assert_whole(f, "src");
			assert_int_equal(store_snapshot_remove(&f->st, "src", "snap", &err), 0);
		}
	}
	print_message("snapshots killed at random points: %d of %d had finished\n", finished,
		      KILL_RUNS);
}

static int create_web(struct store *st, struct ctr_error *err)
{
	struct store_container_opts opts = {"base", NULL, "x = 1\n"};
	return store_container_create(st, "web", &opts, err);
}

static void killed_create_leaves_all_or_nothing(void **state)
{
	struct store_fixture *f = fx(state);
	struct ctr_error err = CTR_ERROR_INIT;
	int finished = 0;

	make_image(f, "base");
	for (int i = 0; i < KILL_RUNS; i++) {
		run_and_kill(f, create_web);
		if (store_container_exists(&f->st, "web")) {
			struct store_mount_spec spec = spec_of(f, "web");
			finished++;
			assert_string_equal(read_text_at(f->root, "containers/web/config"),
					    "x = 1\n");
			store_mount_spec_free(&spec);
			assert_int_equal(store_container_destroy(&f->st, "web", &err), 0);
		} else {
			assert_false(path_exists(f->root, "containers/web"));
		}
	}
	assert_int_equal(count_entries(f, "layers"), 1);
	print_message("creates killed at random points: %d of %d had finished\n", finished,
		      KILL_RUNS);
}

#define T(name) cmocka_unit_test_setup_teardown(name, store_fixture_setup, store_fixture_teardown)

int main(void)
{
	srand((unsigned)time(NULL));
	const struct CMUnitTest tests[] = {
	    T(creates_layout_with_private_directories),
	    T(rejects_bad_names_with_the_reason),
	    T(image_from_dir_records_metadata),
	    T(refuses_an_existing_image_name),
	    T(container_stands_on_its_image_with_an_empty_upper),
	    T(image_removal_waits_for_its_containers),
	    T(image_removal_sees_clones_and_snapshots),
	    T(clone_freezes_the_upper_into_a_shared_layer),
	    T(clone_of_an_untouched_container_adds_no_layer),
	    T(snapshot_restore_brings_back_the_content_of_then),
	    T(layer_chains_stay_mountable_with_one_page_of_options),
	    T(container_from_a_dir_owns_a_private_layer),
	    T(lock_removes_dead_staging_and_keeps_live_staging),
	    T(lock_replays_a_committed_journal),
	    T(gc_removes_layers_nothing_reaches),
	    T(lock_is_exclusive_between_processes),
	    T(killed_clone_leaves_whole_containers),
	    T(killed_snapshot_leaves_a_whole_container),
	    T(killed_create_leaves_all_or_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
