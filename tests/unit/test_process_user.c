/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process_finalize in a forked child, checked from the child's
 * /proc/self/status. Changing users and capabilities needs root: without it
 * the tests skip and say why (CI runs them as root).
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "process.h"
#include "util.h"
#include "process_test_child.h"

#define BIT(cap) (1ULL << (cap))

struct report {
	int ret;
	char msg[512];
	char status[4096];
};

struct finalize_args {
	const struct spec_process *p;
	const struct spec_seccomp *s;
};

static void child_finalize(int fd, void *arg)
{
	const struct finalize_args *a = arg;
	struct ctr_error err = CTR_ERROR_INIT;
	struct report *rep = xzalloc(sizeof(*rep));
	char *status = NULL;

	rep->ret = process_finalize(a->p, a->s, &err);
	snprintf(rep->msg, sizeof(rep->msg), "%s", err.msg);
	if (rep->ret == 0 && read_file_at(AT_FDCWD, "/proc/self/status", &status, NULL, &err) == 0)
		snprintf(rep->status, sizeof(rep->status), "%s", status);
	write_all(fd, rep, sizeof(*rep));
}

static struct report *run_finalize(const struct spec_process *p, const struct spec_seccomp *s)
{
	struct finalize_args args = {p, s};
	struct report *rep = xzalloc(sizeof(*rep));

	run_child_report(child_finalize, &args, rep, sizeof(*rep));
	return rep;
}

/* The value of one "Key:\t..." line of /proc/self/status. */
static char *status_field(const struct report *rep, const char *key)
{
	_cleanup_free_ char *needle = xasprintf("\n%s:\t", key);
	const char *line = strstr(rep->status, needle);

	assert_non_null(line);
	line += strlen(needle);
	return xstrndup(line, strcspn(line, "\n"));
}

static void assert_field(const struct report *rep, const char *key, const char *want)
{
	_cleanup_free_ char *got = status_field(rep, key);

	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", key, got, want);
}

static void assert_mask(const struct report *rep, const char *key, uint64_t want)
{
	char hex[17];

	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)want);
	assert_field(rep, key, hex);
}

static void free_seccomp(struct spec_seccomp *s)
{
	for (size_t i = 0; i < s->n_rules; i++)
		strv_free(s->rules[i].names);
	free(s->rules);
	free(s->archs);
	free(s);
}

static bool need_root(void)
{
	if (geteuid() == 0)
		return true;
	print_message("skipped: changing uid, groups and capabilities needs root\n");
	return false;
}

static void becomes_user_with_exactly_the_spec_capabilities(void **state)
{
	gid_t groups[] = {2000, 3000};
	char *args[] = {"/bin/true", NULL};
	struct spec_process p = {
	    .user = {.uid = 1000,
		     .gid = 1001,
		     .additional_gids = groups,
		     .n_additional_gids = 2,
		     .has_umask = true,
		     .umask = 027},
	    .args = args,
	    .cwd = "/",
	    .has_caps = true,
	    /* bit 63 is beyond every kernel: ignored, not an error */
	    .caps = {.bounding =
			 BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE) | BIT(63),
		     .effective = BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE),
		     .permitted = BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE) | BIT(63),
		     .inheritable = BIT(CAP_NET_BIND_SERVICE),
		     .ambient = BIT(CAP_NET_BIND_SERVICE)},
	    .no_new_privileges = true,
	};
	struct spec_seccomp *s = process_default_seccomp();
	_cleanup_free_ struct report *rep = NULL;

	if (!need_root())
		skip();
	rep = run_finalize(&p, s);
	assert_string_equal(rep->msg, "");
	assert_int_equal(rep->ret, 0);
	assert_field(rep, "Umask", "0027");
	assert_field(rep, "Uid", "1000\t1000\t1000\t1000");
	assert_field(rep, "Gid", "1001\t1001\t1001\t1001");
	assert_field(rep, "Groups", "2000 3000 ");
	assert_mask(rep, "CapInh", BIT(CAP_NET_BIND_SERVICE));
	assert_mask(rep, "CapPrm", BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE));
	assert_mask(rep, "CapEff", BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE));
	assert_mask(rep, "CapBnd", BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE));
	assert_mask(rep, "CapAmb", BIT(CAP_NET_BIND_SERVICE));
	assert_field(rep, "NoNewPrivs", "1");
	assert_field(rep, "Seccomp", "2");
	free_seccomp(s);
}

/* Without no_new_privs the filter goes in first, while CAP_SYS_ADMIN is
 * still held; no capabilities object means none at all. */
static void loads_seccomp_before_dropping_caps_without_no_new_privs(void **state)
{
	char *args[] = {"/bin/true", NULL};
	struct spec_process p = {.args = args, .cwd = "/"};
	struct spec_seccomp *s = process_default_seccomp();
	_cleanup_free_ struct report *rep = NULL;

	if (!need_root())
		skip();
	rep = run_finalize(&p, s);
	assert_string_equal(rep->msg, "");
	assert_field(rep, "Uid", "0\t0\t0\t0");
	assert_field(rep, "Groups", " ");
	assert_mask(rep, "CapEff", 0);
	assert_mask(rep, "CapPrm", 0);
	assert_mask(rep, "CapBnd", 0);
	assert_field(rep, "NoNewPrivs", "0");
	assert_field(rep, "Seccomp", "2");
	free_seccomp(s);
}

static void enters_cwd_as_the_target_user(void **state)
{
	char dir[] = "/tmp/ctr-process-test-XXXXXX";
	char *args[] = {"/bin/true", NULL};
	struct spec_process p = {.user = {.uid = 1000, .gid = 1000}, .args = args, .cwd = dir};
	_cleanup_free_ struct report *rep = NULL;
	_cleanup_free_ char *want = NULL;

	if (!need_root())
		skip();
	assert_non_null(mkdtemp(dir)); /* 0700, owned by root */
	want = xasprintf("chdir to cwd %s: Permission denied", dir);
	rep = run_finalize(&p, NULL);
	rmdir(dir);
	assert_int_equal(rep->ret, -EACCES);
	assert_string_equal(rep->msg, want);
}

/* uid and gid 0 mapped to ours, setgroups denied: what an unprivileged
 * runtime gets, and it needs no root. */
static int enter_own_user_namespace(char *msg, size_t len)
{
	struct ctr_error err = CTR_ERROR_INIT;
	char uid_map[64], gid_map[64];

	snprintf(uid_map, sizeof(uid_map), "0 %u 1", (unsigned int)geteuid());
	snprintf(gid_map, sizeof(gid_map), "0 %u 1", (unsigned int)getegid());
	if (unshare(CLONE_NEWUSER) < 0) {
		snprintf(msg, len, "unshare user namespace: %s", strerror(errno));
		return -errno;
	}
	if (write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny", 4, &err) < 0 ||
	    write_file_at(AT_FDCWD, "/proc/self/uid_map", uid_map, strlen(uid_map), &err) < 0 ||
	    write_file_at(AT_FDCWD, "/proc/self/gid_map", gid_map, strlen(gid_map), &err) < 0) {
		snprintf(msg, len, "%s", err.msg);
		return -err.code;
	}
	return 0;
}

static void child_finalize_in_user_namespace(int fd, void *arg)
{
	struct report *rep = xzalloc(sizeof(*rep));

	rep->ret = enter_own_user_namespace(rep->msg, sizeof(rep->msg));
	if (rep->ret < 0) {
		write_all(fd, rep, sizeof(*rep));
		return;
	}
	child_finalize(fd, arg);
}

static void skips_setgroups_where_the_user_namespace_denies_it(void **state)
{
	gid_t groups[] = {0};
	char *args[] = {"/bin/true", NULL};
	struct spec_process p = {
	    .user = {.additional_gids = groups, .n_additional_gids = 1},
	    .args = args,
	    .cwd = "/",
	    .has_caps = true,
	    .caps = {.bounding = BIT(CAP_CHOWN) | BIT(CAP_SETUID),
		     .effective = BIT(CAP_CHOWN),
		     .permitted = BIT(CAP_CHOWN)},
	    .no_new_privileges = true,
	};
	struct spec_seccomp *s = process_default_seccomp();
	struct finalize_args fa = {&p, s};
	_cleanup_free_ struct report *rep = xzalloc(sizeof(*rep));

	run_child_report(child_finalize_in_user_namespace, &fa, rep, sizeof(*rep));
	if (str_has_prefix(rep->msg, "unshare user namespace")) {
		print_message("skipped: %s\n", rep->msg);
		free_seccomp(s);
		skip();
	}
	assert_string_equal(rep->msg, "");
	assert_field(rep, "Uid", "0\t0\t0\t0");
	assert_mask(rep, "CapEff", BIT(CAP_CHOWN));
	assert_mask(rep, "CapPrm", BIT(CAP_CHOWN));
	assert_mask(rep, "CapBnd", BIT(CAP_CHOWN) | BIT(CAP_SETUID));
	assert_mask(rep, "CapInh", 0);
	assert_field(rep, "NoNewPrivs", "1");
	assert_field(rep, "Seccomp", "2");
	free_seccomp(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(becomes_user_with_exactly_the_spec_capabilities),
	    cmocka_unit_test(loads_seccomp_before_dropping_caps_without_no_new_privs),
	    cmocka_unit_test(enters_cwd_as_the_target_user),
	    cmocka_unit_test(skips_setgroups_where_the_user_namespace_denies_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
