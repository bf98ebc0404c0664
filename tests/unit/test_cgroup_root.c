/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Root tests of cgroups/ on the real host (skipped with a reason when not
 * root): every cgroup lives under /ctr-cgtest-<pid> and every child is ours;
 * each test's teardown kills its children and removes the tree, also when
 * an assertion failed.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>
#include <linux/bpf.h>

#include "cgroups/cg_internal.h"
#include "cgroups/cg_tree.h"
#include "syscalls.h"
#include "util.h"

/* A skipped test says why (cmocka's TAP line carries only the name). */
#define skip_because(why)                                                                          \
	do {                                                                                       \
		print_message("skipped: %s\n", why);                                               \
		skip();                                                                            \
	} while (0)

static char top[64];
static pid_t children[8];
static size_t n_children;
static volatile uint64_t *counter;
static volatile double *self_attach_ms; /* written by a child that attached itself */

static void remove_everywhere(void)
{
	struct ctr_error err = CTR_ERROR_INIT;
	const struct cg_host *host = cg_host_get(&err);

	for (size_t i = 0; host && i < host->n; i++) {
		_cleanup_free_ char *abs = xasprintf("%s%s", host->hiers[i].mountpoint, top);

		/* A frozen leftover would keep its tasks from exiting. */
		_cleanup_free_ char *thaw = xasprintf("%s/cgroup.freeze", abs);
		_cleanup_close_ int fd = open(thaw, O_WRONLY | O_CLOEXEC);
		if (fd >= 0)
			(void)!write(fd, "0", 1);
		cg_tree_remove(abs, 2000);
	}
}

static int teardown(void **state)
{
	for (size_t i = 0; i < n_children; i++) {
		kill(children[i], SIGKILL);
		waitpid(children[i], NULL, 0);
	}
	n_children = 0;
	remove_everywhere();
	return 0;
}

static bool exists_anywhere(const char *path)
{
	struct ctr_error err = CTR_ERROR_INIT;
	const struct cg_host *host = cg_host_get(&err);

	for (size_t i = 0; i < host->n; i++) {
		_cleanup_free_ char *abs = xasprintf("%s%s", host->hiers[i].mountpoint, path);

		if (access(abs, F_OK) == 0)
			return true;
	}
	return false;
}

static bool on_v2(void)
{
	return cg_driver_kind() == CG_DRIVER_V2;
}

/* The directory that holds ctrl's files: its v1 hierarchy, or cgroup2's. */
static const struct cg_dir *dir_with(const struct cg_handle *h, unsigned int ctrl)
{
	for (size_t i = 0; i < h->n; i++) {
		if (!h->dirs[i].hier->v2 && (h->dirs[i].hier->ctrls & ctrl))
			return &h->dirs[i];
	}
	assert_true(h->v2_dir >= 0);
	return &h->dirs[h->v2_dir];
}

static char *read_in(struct cg_handle *h, unsigned int ctrl, const char *file)
{
	struct ctr_error err = CTR_ERROR_INIT;
	char *text = NULL;

	if (cg_read(dir_with(h, ctrl)->fd, file, &text, &err) < 0)
		fail_msg("%s", err.msg);
	return text;
}

static bool has_v1_dir(const struct cg_handle *h, unsigned int ctrl)
{
	for (size_t i = 0; i < h->n; i++) {
		if (!h->dirs[i].hier->v2 && (h->dirs[i].hier->ctrls & ctrl))
			return true;
	}
	return false;
}

/* pid is in the handle's cgroup in every hierarchy the handle has a
 * directory in, and in the root of the others (those left out). */
static void expect_in(const struct cg_handle *h, pid_t pid)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *want = xasprintf("%s\n", cg_path(h));
	_cleanup_free_ char *proc = NULL, *cgfile = xasprintf("/proc/%d/cgroup", (int)pid);
	size_t in = 0;

	assert_int_equal(read_file_at(AT_FDCWD, cgfile, &proc, NULL, &err), 0);
	for (char *line = proc; *line; line = strchr(line, '\n') + 1) {
		char *path = strchr(strchr(line, ':') + 1, ':') + 1;

		if (strncmp(path, want, strlen(want)) == 0)
			in++;
		else
			assert_memory_equal(path, "/\n", 2);
	}
	assert_int_equal(in, h->n);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* A child that counts in shared memory until killed; with self_h it first
 * attaches itself (cg_attach pid 0) and publishes how long that took. */
static pid_t spawn_counter_flags(int cgroup_fd, struct cg_handle *self_h, uint64_t flags)
{
	struct clone_args args = {.flags = flags, .exit_signal = SIGCHLD};
	pid_t pid;

	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	pid = (pid_t)sys_clone3(&args);
	assert_true(pid >= 0);
	if (pid == 0) {
		if (self_h) {
			struct ctr_error err = CTR_ERROR_INIT;
			struct timespec t0;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			*self_attach_ms =
			    cg_attach(self_h, 0, true, &err) == 0 ? ms_since(&t0) : -1;
		}
		for (;;)
			(*counter)++;
	}
	children[n_children++] = pid;
	return pid;
}

static pid_t spawn_counter_self(int cgroup_fd, struct cg_handle *self_h)
{
	return spawn_counter_flags(cgroup_fd, self_h, 0);
}

static pid_t spawn_counter(int cgroup_fd)
{
	return spawn_counter_self(cgroup_fd, NULL);
}

static struct cg_handle *create(const char *leaf, const struct spec_resources *r)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *h = NULL;
	_cleanup_free_ char *path = xasprintf("%s/%s", top, leaf);
	int ret = cg_create(path, r, &h, &err);

	if (ret < 0)
		fail_msg("cg_create: %s", err.msg);
	return h;
}

static void creates_with_limits_readable_in_each_hierarchy(void **state)
{
	struct spec_resources r = {.has_memory_limit = true,
				   .memory_limit = 64 << 20,
				   .has_pids_limit = true,
				   .pids_limit = 32};
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *h = create("limits", &r);
	_cleanup_free_ char *mem =
	    read_in(h, CG_MEMORY, on_v2() ? "memory.max" : "memory.limit_in_bytes");
	_cleanup_free_ char *pids = read_in(h, CG_PIDS, "pids.max");
	struct cg_mount_entry *e;
	size_t n;

	assert_string_equal(mem, "67108864\n");
	assert_string_equal(pids, "32\n");
	if (on_v2() || has_v1_dir(h, CG_CPUSET)) {
		_cleanup_free_ char *cpus =
		    read_in(h, CG_CPUSET, on_v2() ? "cpuset.cpus.effective" : "cpuset.cpus");

		assert_true(strlen(cpus) > 1); /* seeded from the parent */
	}
	assert_int_equal(cg_mount_layout(h, &e, &n, &err), 0);
	assert_int_equal(n, h->n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(access(e[i].host_path, F_OK), 0);
	cg_mount_layout_free(e, n);
	assert_int_equal(cg_destroy(h, &err), 0);
	cg_free(h);
	assert_false(exists_anywhere(top)); /* the parent we made went too */
}

static uint64_t count_after(long ms);

static void expect_file(struct cg_handle *h, unsigned int ctrl, const char *file, const char *want)
{
	_cleanup_free_ char *got = read_in(h, ctrl, file);

	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", file, got, want);
}

static void applies_v1_limits_and_update_changes_them(void **state)
{
	struct spec_throttle_device rbps = {254, 0, 1048576};
	struct spec_resources r = {
	    .has_memory_limit = true,
	    .memory_limit = 64 << 20,
	    .has_memory_swap = true,
	    .memory_swap = 128 << 20,
	    .has_memory_swappiness = true,
	    .memory_swappiness = 10,
	    .has_memory_reservation = true,
	    .memory_reservation = 32 << 20,
	    .has_cpu_shares = true,
	    .cpu_shares = 512,
	    .has_cpu_quota = true,
	    .cpu_quota = 50000,
	    .has_cpu_period = true,
	    .cpu_period = 100000,
	    .cpuset_cpus = "0",
	    .cpuset_mems = "0",
	    .has_pids_limit = true,
	    .pids_limit = 10,
	    .has_blkio_weight = true,
	    .blkio_weight = 200,
	    .throttle_read_bps = &rbps,
	    .n_throttle_read_bps = 1,
	};
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *h;

	if (on_v2())
		skip_because("v1 controller files; the v2 twin covers this on a v2 host");
	h = create("v1limits", &r);

	expect_file(h, CG_MEMORY, "memory.limit_in_bytes", "67108864\n");
	expect_file(h, CG_MEMORY, "memory.memsw.limit_in_bytes", "134217728\n");
	expect_file(h, CG_MEMORY, "memory.swappiness", "10\n");
	expect_file(h, CG_MEMORY, "memory.soft_limit_in_bytes", "33554432\n");
	expect_file(h, CG_CPU, "cpu.shares", "512\n");
	expect_file(h, CG_CPU, "cpu.cfs_quota_us", "50000\n");
	expect_file(h, CG_CPUSET, "cpuset.cpus", "0\n");
	expect_file(h, CG_PIDS, "pids.max", "10\n");
	expect_file(h, CG_IO, "blkio.throttle.read_bps_device", "254:0 1048576\n");
	expect_file(h, CG_IO, "blkio.bfq.weight", "200\n"); /* BFQ's name on this kernel */
	/* Raising both: memsw must go first or the kernel refuses the limit. */
	r = (struct spec_resources){.has_memory_limit = true,
				    .memory_limit = 256 << 20,
				    .has_memory_swap = true,
				    .memory_swap = 512 << 20,
				    .has_pids_limit = true,
				    .pids_limit = 0};
	if (cg_update(h, &r, &err) < 0)
		fail_msg("cg_update: %s", err.msg);
	expect_file(h, CG_MEMORY, "memory.limit_in_bytes", "268435456\n");
	expect_file(h, CG_MEMORY, "memory.memsw.limit_in_bytes", "536870912\n");
	expect_file(h, CG_PIDS, "pids.max", "max\n");
	cg_free(h);
}

static void applies_v2_limits_and_update_keeps_the_other_cpu_max_number(void **state)
{
	struct spec_resources r = {
	    .has_memory_limit = true,
	    .memory_limit = 64 << 20,
	    .has_memory_swap = true,
	    .memory_swap = 128 << 20,
	    .has_memory_reservation = true,
	    .memory_reservation = 32 << 20,
	    .has_cpu_shares = true,
	    .cpu_shares = 512,
	    .has_cpu_quota = true,
	    .cpu_quota = 50000,
	    .cpuset_cpus = "0",
	    .has_pids_limit = true,
	    .pids_limit = 10,
	};
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *h;

	if (!on_v2())
		skip_because("this host's cgroup2 has no memory or cpu controller (hybrid)");
	h = create("v2limits", &r);
	expect_file(h, CG_MEMORY, "memory.max", "67108864\n");
	expect_file(h, CG_MEMORY, "memory.swap.max", "67108864\n"); /* swap - limit */
	expect_file(h, CG_MEMORY, "memory.low", "33554432\n");
	expect_file(h, CG_CPU, "cpu.weight", "20\n");
	expect_file(h, CG_CPU, "cpu.max", "50000 100000\n");
	expect_file(h, CG_CPUSET, "cpuset.cpus", "0\n");
	expect_file(h, CG_PIDS, "pids.max", "10\n");
	r = (struct spec_resources){.has_cpu_period = true,
				    .cpu_period = 200000,
				    .has_memory_limit = true,
				    .memory_limit = -1};
	if (cg_update(h, &r, &err) < 0)
		fail_msg("cg_update: %s", err.msg);
	expect_file(h, CG_CPU, "cpu.max", "50000 200000\n");
	expect_file(h, CG_MEMORY, "memory.max", "max\n");
	cg_free(h);
}

/* dir/file of a sub-cgroup (an absolute path) reads want. */
static void expect_below(const char *dir, const char *file, const char *want)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_free_ char *got = NULL;

	if (read_file_at(AT_FDCWD, path, &got, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", path, got, want);
}

static void enable_pids_below(const char *dir)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *path = xasprintf("%s/cgroup.subtree_control", dir);

	if (write_file_at(AT_FDCWD, path, "+pids", 5, &err) < 0)
		fail_msg("%s", err.msg);
}

/* What a checkpoint records of systemd's cgroup tree and a restore enables
 * again: every directory's subtree_control, parents before children. */
static void subtree_controls_are_recorded_and_enabled_again_parents_first(void **state)
{
	struct spec_resources r = {.has_pids_limit = true, .pids_limit = 100};
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *text = NULL, *a = NULL, *ab = NULL;
	struct cg_handle *h;

	if (!on_v2())
		skip_because("this host's cgroup2 has no pids controller to enable (hybrid)");
	h = create("subtree1", &r);
	a = xasprintf("%s/a", h->dirs[h->v2_dir].abs);
	ab = xasprintf("%s/a/b", h->dirs[h->v2_dir].abs);
	enable_pids_below(h->dirs[h->v2_dir].abs);
	assert_int_equal(mkdir(a, 0755), 0);
	enable_pids_below(a);
	assert_int_equal(mkdir(ab, 0755), 0);
	if (cg_subtree_control(h, &text, &err) < 0)
		fail_msg("cg_subtree_control: %s", err.msg);
	assert_non_null(text);
	assert_string_equal(text, ".\tpids\na\tpids\n");
	assert_int_equal(cg_destroy(h, &err), 0);
	cg_free(h);

	/* A new tree as criu makes it: directories, nothing enabled. */
	h = create("subtree2", &r);
	free(a);
	free(ab);
	a = xasprintf("%s/a", h->dirs[h->v2_dir].abs);
	ab = xasprintf("%s/a/b", h->dirs[h->v2_dir].abs);
	assert_int_equal(mkdir(a, 0755), 0);
	assert_int_equal(mkdir(ab, 0755), 0);
	expect_below(a, "cgroup.subtree_control", "");
	if (cg_enable_subtree(h, text, &err) < 0)
		fail_msg("cg_enable_subtree: %s", err.msg);
	expect_file(h, CG_PIDS, "cgroup.subtree_control", "pids\n");
	expect_below(a, "cgroup.subtree_control", "pids\n");
	expect_below(ab, "pids.max", "max\n"); /* the controller reached b */
	/* A line for a directory that was not made again is no error; a
	 * path out of the tree is refused. */
	assert_int_equal(cg_enable_subtree(h, "gone\tpids\n", &err), 0);
	assert_true(cg_enable_subtree(h, "../..\tpids\n", &err) < 0);
	assert_int_equal(cg_destroy(h, &err), 0);
	cg_free(h);

	/* Images of earlier builds hold the container's own line only. */
	h = create("subtree3", &r);
	if (cg_enable_subtree(h, "pids\n", &err) < 0)
		fail_msg("cg_enable_subtree: %s", err.msg);
	expect_file(h, CG_PIDS, "cgroup.subtree_control", "pids\n");
	cg_free(h);
}

/* On a hybrid host hugetlb may live in the shared cgroup2 mount, and ctr
 * would have to enable it in that mount's root: a host change this test
 * leaves to CTR_CGTEST_UNIFIED_ROOT=1. */
static bool hugetlb_testable(void)
{
	struct ctr_error err = CTR_ERROR_INIT;
	const struct cg_host *host = cg_host_get(&err);
	_cleanup_free_ char *sub = NULL;
	const struct cg_hier *u;

	if (access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) < 0)
		return false;
	for (size_t i = 0; i < host->n; i++) {
		if (!host->hiers[i].v2 && (host->hiers[i].ctrls & CG_HUGETLB))
			return true;
	}
	u = &host->hiers[host->v2_index];
	if (!(u->ctrls & CG_HUGETLB))
		return false;
	if (host->kind == CG_DRIVER_V2 || getenv("CTR_CGTEST_UNIFIED_ROOT"))
		return true;
	_cleanup_free_ char *file = xasprintf("%s/cgroup.subtree_control", u->mountpoint);
	return read_file_at(AT_FDCWD, file, &sub, NULL, &err) == 0 && strstr(sub, "hugetlb");
}

static void hugetlb_limit_lands_in_the_hierarchy_that_has_it(void **state)
{
	struct spec_hugepage_limit hp = {"2MB", 4 << 21};
	struct spec_resources r = {.hugepage_limits = &hp, .n_hugepage_limits = 1};
	struct cg_handle *h;

	if (!hugetlb_testable()) {
		printf("# skip hugetlb: no 2MB pages, or hugetlb only in a shared cgroup2 root "
		       "(set CTR_CGTEST_UNIFIED_ROOT=1 to allow enabling it there)\n");
		skip();
	}
	h = create("hugetlb", &r);
	expect_file(h, CG_HUGETLB,
		    dir_with(h, CG_HUGETLB)->hier->v2 ? "hugetlb.2MB.max"
						      : "hugetlb.2MB.limit_in_bytes",
		    "8388608\n");
	cg_free(h);
}

static void rejects_limits_of_unmounted_controllers_before_making_anything(void **state)
{
	struct spec_resources r = {.has_net_class_id = true, .net_class_id = 0x100001};
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *h = NULL;
	_cleanup_free_ char *path = xasprintf("%s/classid", top);

	assert_int_equal(cg_create(path, &r, &h, &err), -ENOTSUP);
	assert_string_equal(err.msg, "linux.resources.network.classID: the net_cls controller is "
				     "not mounted on this host");
	assert_false(exists_anywhere(top));
}

static void v1_freezer_freezes_and_thaws_too(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *h;
	const struct cg_dir *freezer = NULL;
	bool frozen = false;
	pid_t pid;

	if (on_v2())
		skip_because("v1 controller files; the v2 twin covers this on a v2 host");
	/* An existing parent keeps the v1 freezer even where cgroup2 freezes. */
	for (size_t i = 0; i < cg_host_get(&err)->n; i++) {
		const struct cg_hier *hier = &cg_host_get(&err)->hiers[i];
		_cleanup_free_ char *abs = xasprintf("%s%s", hier->mountpoint, top);

		if (hier->ctrls & CG_FREEZER)
			assert_int_equal(mkdir(abs, 0755), 0);
	}
	h = create("v1freeze", NULL);
	pid = spawn_counter(cg_clone_fd(h));
	assert_int_equal(cg_attach(h, pid, true, &err), 0);
	for (size_t i = 0; i < h->n; i++) {
		if (strcmp(h->dirs[i].hier->name, "freezer") == 0)
			freezer = &h->dirs[i];
	}
	assert_non_null(freezer);
	assert_int_equal(cg_driver_v1.freeze(freezer, true, &err), 0);
	assert_int_equal(cg_driver_v1.is_frozen(freezer, &frozen, &err), 0);
	assert_true(frozen);
	assert_int_equal(count_after(50), 0);
	assert_int_equal(cg_driver_v1.freeze(freezer, false, &err), 0);
	assert_true(count_after(20) > 0);
	cg_free(h);
}

static void rejects_unknown_hugepage_size_before_making_anything(void **state)
{
	struct spec_hugepage_limit hp = {"3MB", 1 << 20};
	struct spec_resources r = {.hugepage_limits = &hp, .n_hugepage_limits = 1};
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *h = NULL;
	_cleanup_free_ char *path = xasprintf("%s/bad", top);

	assert_true(cg_create(path, &r, &h, &err) < 0);
	assert_non_null(strstr(err.msg, "hugepageLimits[0]"));
	assert_false(exists_anywhere(top));
}

static void child_cloned_into_cgroup_is_in_every_hierarchy(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *h = create("attach", NULL);
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	pid_t pid;

	assert_true(cg_clone_fd(h) >= 0);
	pid = spawn_counter(cg_clone_fd(h));
	assert_int_equal(cg_attach(h, pid, true, &err), 0);
	expect_in(h, pid);
	assert_int_equal(cg_pids(h, &pids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], pid);
	assert_int_equal(cg_kill(h, SIGKILL, &err), 0);
	cg_free(h);
}

static void wait_self_attach(pid_t pid)
{
	int status;

	while (*self_attach_ms == 0) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			fail_msg("child died before attaching itself: status 0x%x", status);
		usleep(100);
	}
	assert_true(*self_attach_ms > 0);
}

static void child_attaches_itself_in_every_v1_hierarchy(void **state)
{
	struct cg_handle *h = create("self", NULL);
	pid_t pid;

	*self_attach_ms = 0;
	pid = spawn_counter_self(cg_clone_fd(h), h);
	wait_self_attach(pid);
	expect_in(h, pid);
	cg_free(h);
}

/* The launcher's overlap: the child is cloned into the cgroup2 directory
 * before the v1 ones exist, and joins them once cg_create_finish made them. */
static void child_joins_v1_cgroups_made_after_it_was_cloned(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *path = xasprintf("%s/late", top);
	struct clone_args args = {.flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD};
	struct cg_handle *h = NULL;
	int go[2];
	pid_t pid;
	char c;

	if (on_v2())
		skip_because("on pure v2 there is no v1 directory to make later");
	assert_int_equal(cg_create_begin(path, NULL, &h, &err), 0);
	assert_true(cg_create_pending(h));
	assert_false(has_v1_dir(h, CG_MEMORY));
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	*self_attach_ms = 0;
	args.cgroup = (uint64_t)cg_clone_fd(h);
	pid = (pid_t)sys_clone3(&args);
	assert_true(pid >= 0);
	if (pid == 0) {
		*self_attach_ms = read(go[0], &c, 1) == 1 && cg_attach(h, 0, true, &err) == 0 ? 1 : -1;
		for (;;)
			(*counter)++;
	}
	children[n_children++] = pid;
	assert_int_equal(cg_create_finish(h, NULL, &err), 0);
	assert_false(cg_create_pending(h));
	assert_true(has_v1_dir(h, CG_MEMORY));
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[0]);
	close(go[1]);
	wait_self_attach(pid);
	expect_in(h, pid);
	cg_free(h);
}

/* As the launcher's child would be: already in a new, unmapped user
 * namespace, writing through fds its parent opened. */
static void child_in_a_new_user_namespace_attaches_itself(void **state)
{
	struct cg_handle *h;
	pid_t pid;

	if (on_v2())
		skip_because("on pure v2 CLONE_INTO_CGROUP places the child");
	h = create("selfuserns", NULL);
	*self_attach_ms = 0;
	pid = spawn_counter_flags(cg_clone_fd(h), h, CLONE_NEWUSER);
	wait_self_attach(pid);
	expect_in(h, pid);
	cg_free(h);
}

/* The launcher finishes a begun handle before clone3 when the init gets a
 * user namespace: that child still writes through fds opened for it. */
static void finished_before_clone_a_child_in_a_user_namespace_attaches_itself(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *path = xasprintf("%s/finished", top);
	struct cg_handle *h = NULL;
	pid_t pid;

	if (on_v2())
		skip_because("on pure v2 CLONE_INTO_CGROUP places the child");
	assert_int_equal(cg_create_begin(path, NULL, &h, &err), 0);
	assert_int_equal(cg_create_finish(h, NULL, &err), 0);
	*self_attach_ms = 0;
	pid = spawn_counter_flags(cg_clone_fd(h), h, CLONE_NEWUSER);
	wait_self_attach(pid);
	expect_in(h, pid);
	cg_free(h);
}

static uint64_t count_after(long ms)
{
	struct timespec ts = {0, ms * 1000000L};
	uint64_t before = *counter;

	nanosleep(&ts, NULL);
	return *counter - before;
}

static void freeze_stops_the_child_and_thaw_resumes_it(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *h = create("freeze", NULL);
	bool frozen = true;
	pid_t pid = spawn_counter(cg_clone_fd(h));

	assert_int_equal(cg_attach(h, pid, true, &err), 0);
	assert_true(count_after(20) > 0);
	assert_int_equal(cg_is_frozen(h, &frozen, &err), 0);
	assert_false(frozen);
	assert_int_equal(cg_freeze(h, true, &err), 0);
	assert_int_equal(cg_is_frozen(h, &frozen, &err), 0);
	assert_true(frozen);
	assert_int_equal(count_after(50), 0);
	assert_int_equal(cg_freeze(h, false, &err), 0);
	assert_int_equal(cg_is_frozen(h, &frozen, &err), 0);
	assert_false(frozen);
	assert_true(count_after(20) > 0);
	cg_free(h);
}

static void kill_reaches_every_process_and_destroy_leaves_nothing(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *h = create("kill", NULL);
	int status;

	for (int i = 0; i < 2; i++)
		assert_int_equal(cg_attach(h, spawn_counter(cg_clone_fd(h)), true, &err), 0);
	/* SIGTERM takes the freeze-and-walk path, SIGKILL cgroup.kill. */
	assert_int_equal(cg_kill(h, SIGTERM, &err), 0);
	assert_int_equal(waitpid(children[0], &status, 0), children[0]);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	assert_int_equal(waitpid(children[1], &status, 0), children[1]);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	n_children = 0;
	assert_int_equal(cg_attach(h, spawn_counter(cg_clone_fd(h)), true, &err), 0);
	assert_int_equal(cg_kill(h, SIGKILL, &err), 0);
	assert_int_equal(waitpid(children[0], &status, 0), children[0]);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	n_children = 0;
	assert_int_equal(cg_destroy(h, &err), 0);
	assert_int_equal(cg_destroy(h, &err), 0); /* already gone is success */
	cg_free(h);
	assert_false(exists_anywhere(top));
}

static void destroy_removes_sub_cgroups_but_not_foreign_parents(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *h;
	_cleanup_free_ char *keep = xasprintf("%s/keep", top);
	_cleanup_free_ char *sub = NULL;

	h = create("keep", NULL);
	cg_free(h); /* "keep" and the top now exist, made by someone else */
	h = create("keep/inner", NULL);
	sub = xasprintf("%s/sub", h->dirs[0].abs);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(cg_destroy(h, &err), 0);
	cg_free(h);
	assert_int_equal(access(sub, F_OK), -1);
	assert_true(exists_anywhere(keep));
	assert_int_equal(cg_open(keep, &h, &err), 0);
	assert_int_equal(cg_destroy(h, &err), 0);
	cg_free(h);
	assert_false(exists_anywhere(keep));
}

static void deleting_the_last_container_removes_its_empty_parents(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *parent = xasprintf("%s/parent", top);
	_cleanup_free_ char *a = xasprintf("%s/parent/a", top);
	_cleanup_free_ char *b = xasprintf("%s/parent/b", top);
	struct cg_handle *h;

	/* Two containers under one parent, each deleted by another process
	 * (cg_open, as `delete` does). */
	cg_free(create("parent/a", NULL));
	cg_free(create("parent/b", NULL));
	assert_int_equal(cg_open(a, &h, &err), 0);
	assert_int_equal(cg_destroy(h, &err), 0);
	cg_free(h);
	assert_true(exists_anywhere(parent)); /* still holds b */
	assert_int_equal(cg_open(b, &h, &err), 0);
	assert_int_equal(cg_destroy(h, &err), 0);
	cg_free(h);
	assert_false(exists_anywhere(parent));
	assert_false(exists_anywhere(top));
}

/* `delete` of a stopped container: no directory opened first. */
static void remove_by_path_deletes_everywhere_and_the_emptied_parent(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *parent = xasprintf("%s/rm", top);
	_cleanup_free_ char *a = xasprintf("%s/rm/a", top);
	_cleanup_free_ char *b = xasprintf("%s/rm/b", top);

	cg_free(create("rm/a", NULL));
	cg_free(create("rm/b", NULL));
	assert_int_equal(cg_remove(a, &err), 0);
	assert_false(exists_anywhere(a));
	assert_true(exists_anywhere(b)); /* and so its parent */
	assert_int_equal(cg_remove(b, &err), 0);
	assert_false(exists_anywhere(parent));
	assert_int_equal(cg_remove(b, &err), 0); /* already gone */
}

static void v1_device_rules_reach_devices_list(void **state)
{
	struct spec_device_rule rules[] = {
	    {.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
	    {.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
	};
	struct spec_resources r = {.devices = rules, .n_devices = 2};
	struct cg_handle *h;
	_cleanup_free_ char *list = NULL;

	if (on_v2())
		skip_because("v1 controller files; the v2 twin covers this on a v2 host");
	h = create("devices", &r);
	list = read_in(h, CG_DEVICES, "devices.list");
	assert_string_equal(list, "c 1:3 rwm\n");
	cg_free(h);
}

static uint32_t attached_programs(int dirfd)
{
	union bpf_attr attr;
	uint32_t ids[8];

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)dirfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
	attr.query.prog_cnt = 8;
	assert_int_equal(sys_bpf(BPF_PROG_QUERY, &attr, sizeof(attr)), 0);
	return attr.query.prog_cnt;
}

/* The eBPF filter on the cgroup2 directory alone (the child stays in the
 * root of the v1 devices hierarchy, which allows everything). */
static void bpf_device_filter_denies_what_the_rules_deny(void **state)
{
	struct spec_device_rule rules[] = {
	    {.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
	    {.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
	};
	struct spec_resources r = {.devices = rules, .n_devices = 2};
	struct ctr_error err = CTR_ERROR_INIT;
	/* On v2 the spec's rules take this path; on hybrid they go to v1. */
	struct cg_handle *h = create("bpf", on_v2() ? &r : NULL);
	struct clone_args args = {.flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD};
	int status, ret;
	pid_t pid;

	ret = cg_devices_bpf_apply(cg_clone_fd(h), rules, 2, &err);
	if (ret < 0)
		fail_msg("%s", err.msg);
	ret = cg_devices_bpf_apply(cg_clone_fd(h), rules, 2, &err);
	assert_int_equal(ret, 0);
	assert_int_equal(attached_programs(cg_clone_fd(h)), 1); /* replaced, not stacked */
	args.cgroup = (uint64_t)cg_clone_fd(h);
	pid = (pid_t)sys_clone3(&args);
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY), zero = open("/dev/zero", O_RDONLY);
		_exit(null >= 0 && zero < 0 && errno == EPERM ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	cg_free(h);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#define ROUNDS 15
enum { T_CREATE, T_CLONE, T_ATTACH, T_SELF_ATTACH, T_KILL, T_DESTROY, T__COUNT };

static void one_round(double t[T__COUNT])
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct timespec t0;
	struct cg_handle *h;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	h = create("timing", NULL);
	t[T_CREATE] = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = spawn_counter(cg_clone_fd(h));
	t[T_CLONE] = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(cg_attach(h, pid, true, &err), 0);
	t[T_ATTACH] = ms_since(&t0);
	/* Before any kill: on this kernel (6.18) a cgroup that had cgroup.kill
	 * written SIGKILLs every later CLONE_INTO_CGROUP child. */
	*self_attach_ms = 0;
	spawn_counter_self(cg_clone_fd(h), h);
	wait_self_attach(children[1]);
	t[T_SELF_ATTACH] = *self_attach_ms;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(cg_kill(h, SIGKILL, &err), 0);
	waitpid(pid, NULL, 0);
	waitpid(children[1], NULL, 0);
	n_children = 0;
	t[T_KILL] = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(cg_destroy(h, &err), 0);
	t[T_DESTROY] = ms_since(&t0);
	cg_free(h);
}

static void report(bool idle_first)
{
	static const char *names[T__COUNT] = {"create (mkdir all)", "clone3 INTO_CGROUP",
					      "attach by parent",   "self-attach (child)",
					      "kill 2 + reap",	    "destroy (rmdir)"};
	double t[T__COUNT][ROUNDS];

	printf("# %s\n", idle_first ? "each round after 100 ms idle (a lone container start)"
				    : "rounds back to back (RCU grace periods shared)");
	for (int r = 0; r < ROUNDS; r++) {
		struct timespec idle = {0, 100 * 1000000L};
		double one[T__COUNT];

		if (idle_first)
			nanosleep(&idle, NULL);
		one_round(one);
		for (int k = 0; k < T__COUNT; k++)
			t[k][r] = one[k];
	}
	for (int k = 0; k < T__COUNT; k++) {
		qsort(t[k], ROUNDS, sizeof(double), cmp_double);
		printf("# %-20s median %7.3f ms  min %7.3f ms  max %7.3f ms\n", names[k],
		       t[k][ROUNDS / 2], t[k][0], t[k][ROUNDS - 1]);
	}
}

/* Not a pass/fail check: prints what each step costs on this host. */
static void reports_the_cost_of_each_step(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *parent = NULL;

	/* The parent exists, as /ctr-oci does for every container but the first. */
	assert_int_equal(cg_create(top, NULL, &parent, &err), 0);
	report(false);
	report(true);
	assert_int_equal(cg_destroy(parent, &err), 0);
	cg_free(parent);
}

/* The hybrid hierarchies that a container without limits may be left out
 * of here (this process must sit in their root); 0 on other hosts. */
static unsigned int left_out_here(void)
{
	struct ctr_error err = CTR_ERROR_INIT;
	const struct cg_host *host = cg_host_get(&err);
	unsigned int ctrls = 0;

	for (size_t i = 0; !on_v2() && i < host->n; i++) {
		const struct cg_hier *hier = &host->hiers[i];

		if (!hier->v2 && hier->self_root && hier->ctrls &&
		    !(hier->ctrls & ~(CG_CPUSET | CG_DEVICES | CG_FREEZER)))
			ctrls |= hier->ctrls;
	}
	return ctrls;
}

static void hybrid_leaves_out_cpuset_devices_and_freezer_without_limits(void **state)
{
	struct spec_device_rule deny = {false, 'a', -1, -1, "rwm"};
	struct spec_resources r = {.devices = &deny, .n_devices = 1, .cpuset_cpus = "0"};
	unsigned int out = left_out_here();
	struct cg_handle *bare, *limited;

	if (!(out & CG_CPUSET) || !(out & CG_DEVICES))
		skip_because("needs a hybrid host with cpuset and devices, run from their root");
	bare = create("bare", NULL);
	limited = create("limited", &r);
	assert_false(has_v1_dir(bare, CG_CPUSET));
	assert_false(has_v1_dir(bare, CG_DEVICES));
	assert_false(has_v1_dir(bare, CG_FREEZER)); /* cgroup2 freezes */
	assert_true(has_v1_dir(bare, CG_MEMORY));   /* accounting stays */
	assert_true(has_v1_dir(bare, CG_PIDS));
	assert_true(has_v1_dir(limited, CG_CPUSET));
	assert_true(has_v1_dir(limited, CG_DEVICES));
	cg_free(bare);
	cg_free(limited);
}

static void update_makes_a_left_out_cpuset_and_moves_the_processes_in(void **state)
{
	struct spec_resources r = {.cpuset_cpus = "0", .cpuset_mems = "0"};
	struct ctr_error err = CTR_ERROR_INIT;
	struct cg_handle *h, *opened;
	pid_t pid;

	if (!(left_out_here() & CG_CPUSET))
		skip_because("needs a hybrid host with cpuset, run from its root");
	h = create("late", NULL);
	pid = spawn_counter(cg_clone_fd(h));
	assert_int_equal(cg_attach(h, pid, true, &err), 0);
	assert_false(has_v1_dir(h, CG_CPUSET));
	assert_int_equal(cg_open(cg_path(h), &opened, &err), 0);
	assert_int_equal(cg_update(opened, &r, &err), 0);
	assert_true(has_v1_dir(opened, CG_CPUSET));
	expect_file(opened, CG_CPUSET, "cpuset.cpus", "0\n");
	expect_in(opened, pid);
	assert_true(count_after(20) > 0); /* thawed again */
	assert_int_equal(cg_kill(opened, SIGKILL, &err), 0);
	waitpid(pid, NULL, 0);
	n_children = 0;
	assert_int_equal(cg_destroy(opened, &err), 0);
	cg_free(opened);
	cg_free(h);
	assert_false(exists_anywhere(top));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(creates_with_limits_readable_in_each_hierarchy, teardown),
	    cmocka_unit_test_teardown(applies_v1_limits_and_update_changes_them, teardown),
	    cmocka_unit_test_teardown(applies_v2_limits_and_update_keeps_the_other_cpu_max_number,
				      teardown),
	    cmocka_unit_test_teardown(subtree_controls_are_recorded_and_enabled_again_parents_first,
				      teardown),
	    cmocka_unit_test_teardown(
		rejects_limits_of_unmounted_controllers_before_making_anything, teardown),
	    cmocka_unit_test_teardown(v1_freezer_freezes_and_thaws_too, teardown),
	    cmocka_unit_test_teardown(hugetlb_limit_lands_in_the_hierarchy_that_has_it, teardown),
	    cmocka_unit_test_teardown(rejects_unknown_hugepage_size_before_making_anything,
				      teardown),
	    cmocka_unit_test_teardown(child_cloned_into_cgroup_is_in_every_hierarchy, teardown),
	    cmocka_unit_test_teardown(child_attaches_itself_in_every_v1_hierarchy, teardown),
	    cmocka_unit_test_teardown(child_joins_v1_cgroups_made_after_it_was_cloned, teardown),
	    cmocka_unit_test_teardown(child_in_a_new_user_namespace_attaches_itself, teardown),
	    cmocka_unit_test_teardown(
		finished_before_clone_a_child_in_a_user_namespace_attaches_itself, teardown),
	    cmocka_unit_test_teardown(freeze_stops_the_child_and_thaw_resumes_it, teardown),
	    cmocka_unit_test_teardown(kill_reaches_every_process_and_destroy_leaves_nothing,
				      teardown),
	    cmocka_unit_test_teardown(destroy_removes_sub_cgroups_but_not_foreign_parents,
				      teardown),
	    cmocka_unit_test_teardown(deleting_the_last_container_removes_its_empty_parents,
				      teardown),
	    cmocka_unit_test_teardown(remove_by_path_deletes_everywhere_and_the_emptied_parent,
				      teardown),
	    cmocka_unit_test_teardown(v1_device_rules_reach_devices_list, teardown),
	    cmocka_unit_test_teardown(bpf_device_filter_denies_what_the_rules_deny, teardown),
	    cmocka_unit_test_teardown(hybrid_leaves_out_cpuset_devices_and_freezer_without_limits,
				      teardown),
	    cmocka_unit_test_teardown(update_makes_a_left_out_cpuset_and_moves_the_processes_in,
				      teardown),
	    cmocka_unit_test_teardown(reports_the_cost_of_each_step, teardown),
	};
	struct ctr_error err = CTR_ERROR_INIT;
	const struct cg_host *host;

	if (geteuid() != 0) {
		printf("# SKIP test_cgroup_root: needs root to create cgroups\n");
		return 77;
	}
	host = cg_host_get(&err);
	if (!host || host->v2_index < 0) {
		printf("# SKIP test_cgroup_root: needs a cgroup2 hierarchy (v2 or hybrid); %s\n",
		       host ? "this host has none" : err.msg);
		return 77;
	}
	snprintf(top, sizeof(top), "/ctr-cgtest-%d", (int)getpid());
	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counter == MAP_FAILED)
		return 1;
	self_attach_ms = (volatile double *)(counter + 8);
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	remove_everywhere();
	return failed;
}
