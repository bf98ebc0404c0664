/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process_apply_sysctl and process_apply_limits, each run in a forked child
 * so the test process keeps its own limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "process.h"
#include "util.h"
#include "process_test_child.h"

/* A child's answer: return value, error message, and what it observed. */
struct report {
	int ret;
	char msg[512];
	char seen[256];
};

typedef void (*child_fn)(struct report *r, void *arg);

struct child_args {
	child_fn fn;
	void *arg;
};

static void child_entry(int fd, void *arg)
{
	const struct child_args *a = arg;
	struct report rep = {0};

	a->fn(&rep, a->arg);
	write_all(fd, &rep, sizeof(rep));
}

static void run_child(child_fn fn, void *arg, struct report *r)
{
	struct child_args args = {fn, arg};

	run_child_report(child_entry, &args, r, sizeof(*r));
}

static void apply_limits(struct report *r, struct spec_process *p, struct spec *spec)
{
	struct ctr_error err = CTR_ERROR_INIT;

	r->ret = process_apply_limits(spec, p, &err);
	snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
}

static void child_rlimits(struct report *r, void *arg)
{
	struct spec_rlimit *limits = arg;
	struct spec_process p = {.rlimits = limits, .n_rlimits = 2};
	struct spec spec = {0};
	struct rlimit nofile, core;

	apply_limits(r, &p, &spec);
	getrlimit(RLIMIT_NOFILE, &nofile);
	getrlimit(RLIMIT_CORE, &core);
	snprintf(r->seen, sizeof(r->seen), "%llu/%llu %llu/%llu",
		 (unsigned long long)nofile.rlim_cur, (unsigned long long)nofile.rlim_max,
		 (unsigned long long)core.rlim_cur, (unsigned long long)core.rlim_max);
}

static void sets_soft_and_hard_rlimits(void **state)
{
	struct spec_rlimit limits[] = {
	    {.resource = RLIMIT_NOFILE, .soft = 100, .hard = 200},
	    {.resource = RLIMIT_CORE, .soft = 0, .hard = 0},
	};
	struct report r;

	run_child(child_rlimits, limits, &r);
	assert_string_equal(r.msg, "");
	assert_int_equal(r.ret, 0);
	assert_string_equal(r.seen, "100/200 0/0");
}

static void reports_rlimit_failure_with_name_and_values(void **state)
{
	unsigned long long nr_open = 0;
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");
	struct spec_rlimit limits[2];
	char want[128];
	struct report r;

	/* Above fs.nr_open is refused even with CAP_SYS_RESOURCE. */
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llu", &nr_open), 1);
	fclose(f);
	limits[0] = (struct spec_rlimit){RLIMIT_CORE, 0, 0};
	limits[1] = (struct spec_rlimit){RLIMIT_NOFILE, nr_open + 1, nr_open + 1};
	run_child(child_rlimits, limits, &r);
	snprintf(want, sizeof(want), "setrlimit RLIMIT_NOFILE %llu/%llu: Operation not permitted",
		 nr_open + 1, nr_open + 1);
	assert_int_equal(r.ret, -EPERM);
	assert_string_equal(r.msg, want);
}

static void child_oom_and_personality(struct report *r, void *arg)
{
	struct spec_process p = {.has_oom_score_adj = true, .oom_score_adj = 777};
	struct spec spec = {0};
	char *adj = NULL;
	struct ctr_error err = CTR_ERROR_INIT;

	spec.linux.has_personality = true;
	spec.linux.personality = PER_LINUX32;
	apply_limits(r, &p, &spec);
	read_file_at(AT_FDCWD, "/proc/self/oom_score_adj", &adj, NULL, &err);
	snprintf(r->seen, sizeof(r->seen), "%s personality=0x%x", adj ? strtok(adj, "\n") : "?",
		 personality(0xffffffff));
	free(adj);
}

static void sets_oom_score_adj_and_personality(void **state)
{
	struct report r;

	run_child(child_oom_and_personality, NULL, &r);
	assert_string_equal(r.msg, "");
	assert_int_equal(r.ret, 0);
	assert_string_equal(r.seen, "777 personality=0x8");
}

static void sysctl_error_names_the_key(void **state)
{
	struct spec_kv kv = {.key = "net.ctr_no_such.knob", .value = "1"};
	struct spec_linux l = {.sysctl = &kv, .n_sysctl = 1};
	struct ctr_error err = CTR_ERROR_INIT;

	assert_true(process_apply_sysctl(&l, &err) < 0);
	assert_true(str_has_prefix(err.msg, "sysctl net.ctr_no_such.knob: "));
}

static void sysctl_rejects_keys_leaving_proc_sys(void **state)
{
	struct spec_kv kv = {.key = "kernel/../../self/oom_score_adj", .value = "1"};
	struct spec_linux l = {.sysctl = &kv, .n_sysctl = 1};
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(process_apply_sysctl(&l, &err), -EINVAL);
	assert_string_equal(err.msg, "sysctl kernel/../../self/oom_score_adj: invalid key");
}

static void child_sysctl_in_new_uts(struct report *r, void *arg)
{
	struct spec_kv kv = {.key = "kernel.domainname", .value = "ctr-process-test"};
	struct spec_linux l = {.sysctl = &kv, .n_sysctl = 1};
	struct ctr_error err = CTR_ERROR_INIT;

	if (unshare(CLONE_NEWUTS) < 0) {
		r->ret = -errno;
		return;
	}
	r->ret = process_apply_sysctl(&l, &err);
	snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
	getdomainname(r->seen, sizeof(r->seen) - 1);
}

static void writes_sysctl_with_dots_as_slashes(void **state)
{
	struct report r;

	if (geteuid() != 0) {
		print_message("skipped: needs root for a private UTS namespace\n");
		skip();
	}
	run_child(child_sysctl_in_new_uts, NULL, &r);
	assert_string_equal(r.msg, "");
	assert_int_equal(r.ret, 0);
	assert_string_equal(r.seen, "ctr-process-test");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sets_soft_and_hard_rlimits),
	    cmocka_unit_test(reports_rlimit_failure_with_name_and_values),
	    cmocka_unit_test(sets_oom_score_adj_and_personality),
	    cmocka_unit_test(sysctl_error_names_the_key),
	    cmocka_unit_test(sysctl_rejects_keys_leaving_proc_sys),
	    cmocka_unit_test(writes_sysctl_with_dots_as_slashes),
	};

	if (geteuid() != 0)
		fprintf(stderr, "test_process_limits: not root, sysctl write test skipped\n");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
