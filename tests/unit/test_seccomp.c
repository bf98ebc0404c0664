/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seccomp filters built from hand-made profiles, loaded in forked children
 * under no_new_privs (no root needed), observed through raw syscalls.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <linux/filter.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "process.h"
#include "process_seccomp.h"
#include "util.h"
#include "process_test_child.h"

#define MAX_RESULTS 8

/* What a child reports: the load error, or one errno (0 = success) or
 * return value per probe. */
struct child_report {
	int loaded;
	long results[MAX_RESULTS];
	char msg[512];
};

typedef void (*probe_fn)(long *results, void *arg);

static long errno_of(long ret)
{
	return ret < 0 ? -errno : ret;
}

static void free_profile(struct spec_seccomp *s)
{
	for (size_t i = 0; i < s->n_rules; i++) {
		strv_free(s->rules[i].names);
		free(s->rules[i].args);
	}
	free(s->rules);
	free(s->archs);
	free(s->listener_path);
	free(s->listener_metadata);
	free(s);
}

static void add_rule(struct spec_seccomp *s, uint32_t action, const char *const *names,
		     const struct spec_seccomp_arg *args, size_t n_args)
{
	struct spec_seccomp_rule *r;

	s->rules = xrealloc(s->rules, (s->n_rules + 1) * sizeof(*s->rules));
	r = &s->rules[s->n_rules++];
	memset(r, 0, sizeof(*r));
	r->action = action;
	for (; *names; names++)
		strv_append(&r->names, *names);
	if (n_args) {
		r->args = xcalloc(n_args, sizeof(*args));
		memcpy(r->args, args, n_args * sizeof(*args));
		r->n_args = n_args;
	}
}

static struct spec_seccomp *new_profile(uint32_t default_action)
{
	struct spec_seccomp *s = xzalloc(sizeof(*s));

	s->default_action = default_action;
	return s;
}

struct child_args {
	const struct spec_seccomp *s;
	probe_fn probe;
	void *arg;
};

static void child_main(int fd, void *arg)
{
	const struct child_args *a = arg;
	struct ctr_error err = CTR_ERROR_INIT;
	struct child_report rep = {0};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		snprintf(rep.msg, sizeof(rep.msg), "no_new_privs: %s", strerror(errno));
	else if (process_seccomp_load(a->s, &err) < 0)
		snprintf(rep.msg, sizeof(rep.msg), "%s", err.msg);
	else {
		rep.loaded = 1;
		a->probe(rep.results, a->arg);
	}
	/* Raw write and exit_group only: the filter may refuse the rest. */
	syscall(SYS_write, fd, &rep, sizeof(rep));
	syscall(SYS_exit_group, 0);
}

static void run_child(const struct spec_seccomp *s, probe_fn probe, void *arg,
		      struct child_report *rep)
{
	struct child_args args = {s, probe, arg};

	run_child_report(child_main, &args, rep, sizeof(*rep));
}

static void probe_default_profile(long *r, void *arg)
{
	r[0] = errno_of(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0));
	r[1] = errno_of(syscall(SYS_kexec_load, 0, 0, NULL, 0));
	r[2] = errno_of(syscall(SYS_open_by_handle_at, -1, NULL, 0));
	r[3] = errno_of(syscall(SYS_getppid));
}

static void default_profile_blocks_keyctl_kexec_and_handles_with_eperm(void **state)
{
	struct spec_seccomp *s = process_default_seccomp();
	struct child_report rep;

	run_child(s, probe_default_profile, NULL, &rep);
	assert_string_equal(rep.msg, "");
	assert_int_equal(rep.results[0], -EPERM);
	assert_int_equal(rep.results[1], -EPERM);
	assert_int_equal(rep.results[2], -EPERM);
	assert_int_equal(rep.results[3], getpid());
	free_profile(s);
}

static void probe_enosys(long *r, void *arg)
{
	char buf[4];

	r[0] = errno_of(syscall(SYS_getuid));
	r[1] = errno_of(syscall(SYS_getrandom, buf, sizeof(buf), 0));
	r[2] = errno_of(syscall(SYS_getppid));
	r[3] = errno_of(syscall(*(int *)arg + 1)); /* just past libseccomp's table */
	r[4] = errno_of(syscall(1000));
}

/* Default EPERM; the highest syscall named is exit_group (231 on x86_64). */
static struct spec_seccomp *minimal_allow_profile(uint32_t default_action)
{
	static const char *const allowed[] = {"read",	 "write",	 "exit", "exit_group",
					      "getppid", "rt_sigreturn", NULL};
	struct spec_seccomp *s = new_profile(default_action);

	add_rule(s, SCMP_ACT_ALLOW, allowed, NULL, 0);
	return s;
}

static void answers_enosys_for_syscalls_newer_than_the_profile(void **state)
{
	struct spec_seccomp *s = minimal_allow_profile(SCMP_ACT_ERRNO(EPERM));
	struct child_report rep;
	int unknown = process_seccomp_highest_known(seccomp_arch_native());

	assert_true(SYS_getrandom > SYS_exit_group && SYS_getuid < SYS_exit_group);
	run_child(s, probe_enosys, &unknown, &rep);
	assert_string_equal(rep.msg, "");
	assert_int_equal(rep.results[0], -EPERM);   /* older, not named: default */
	assert_int_equal(rep.results[1], -ENOSYS);  /* newer than the profile */
	assert_int_equal(rep.results[2], getpid()); /* allowed */
	assert_int_equal(rep.results[3], -ENOSYS);  /* newer than libseccomp */
	assert_int_equal(rep.results[4], -ENOSYS);
	free_profile(s);
}

static void any_errno_default_answers_newer_syscalls_with_enosys(void **state)
{
	struct spec_seccomp *s = minimal_allow_profile(SCMP_ACT_ERRNO(EACCES));
	struct child_report rep;
	int unknown = process_seccomp_highest_known(seccomp_arch_native());

	run_child(s, probe_enosys, &unknown, &rep);
	assert_int_equal(rep.results[0], -EACCES);
	assert_int_equal(rep.results[1], -ENOSYS);
	assert_int_equal(rep.results[4], -ENOSYS);
	free_profile(s);
}

static void probe_getppid(long *r, void *arg)
{
	r[0] = errno_of(syscall(SYS_getppid));
	r[1] = errno_of(syscall(SYS_getpid));
}

static void skips_syscall_names_unknown_to_libseccomp(void **state)
{
	static const char *const names[] = {"ctr_no_such_syscall", "getppid", NULL};
	struct spec_seccomp *s = new_profile(SCMP_ACT_ALLOW);
	struct child_report rep;

	add_rule(s, SCMP_ACT_ERRNO(EPERM), names, NULL, 0);
	run_child(s, probe_getppid, NULL, &rep);
	assert_string_equal(rep.msg, "");
	assert_int_equal(rep.results[0], -EPERM);
	assert_true(rep.results[1] > 0);
	free_profile(s);
}

static void probe_dup2(long *r, void *arg)
{
	r[0] = errno_of(syscall(SYS_dup2, 1000, 2000));
	r[1] = errno_of(syscall(SYS_dup2, 1001, 2000));
	r[2] = errno_of(syscall(SYS_dup2, 1002, 2000));
	r[3] = errno_of(syscall(SYS_dup2, 1000, 2001));
}

static void ors_conditions_on_one_argument_and_ands_across_arguments(void **state)
{
	static const char *const names[] = {"dup2", NULL};
	const struct spec_seccomp_arg args[] = {
	    {.index = 0, .value = 1000, .op = SCMP_CMP_EQ},
	    {.index = 1, .value = 2000, .op = SCMP_CMP_EQ},
	    {.index = 0, .value = 1001, .op = SCMP_CMP_EQ},
	};
	struct spec_seccomp *s = new_profile(SCMP_ACT_ALLOW);
	struct child_report rep;

	add_rule(s, SCMP_ACT_ERRNO(EPERM), names, args, ARRAY_SIZE(args));
	run_child(s, probe_dup2, NULL, &rep);
	assert_string_equal(rep.msg, "");
	assert_int_equal(rep.results[0], -EPERM); /* 1000 and 2000 */
	assert_int_equal(rep.results[1], -EPERM); /* 1001 and 2000 */
	assert_int_equal(rep.results[2], -EBADF); /* index 0 matches neither */
	assert_int_equal(rep.results[3], -EBADF); /* index 1 does not match */
	free_profile(s);
}

static void probe_masked(long *r, void *arg)
{
	r[0] = errno_of(syscall(SYS_dup2, 0x1234, 0));
	r[1] = errno_of(syscall(SYS_dup2, 0x2234, 0));
}

static void masked_eq_takes_mask_from_value_and_datum_from_value_two(void **state)
{
	static const char *const names[] = {"dup2", NULL};
	const struct spec_seccomp_arg args[] = {
	    {.index = 0, .value = 0xf000, .value_two = 0x1000, .op = SCMP_CMP_MASKED_EQ},
	};
	struct spec_seccomp *s = new_profile(SCMP_ACT_ALLOW);
	struct child_report rep;

	add_rule(s, SCMP_ACT_ERRNO(EPERM), names, args, ARRAY_SIZE(args));
	run_child(s, probe_masked, NULL, &rep);
	assert_string_equal(rep.msg, "");
	assert_int_equal(rep.results[0], -EPERM);
	assert_int_equal(rep.results[1], -EBADF);
	free_profile(s);
}

static void rejects_unknown_filter_flags(void **state)
{
	struct spec_seccomp *s = new_profile(SCMP_ACT_ALLOW);
	struct ctr_error err = CTR_ERROR_INIT;

	s->flags = 1U << 20;
	assert_int_equal(process_seccomp_load(s, &err), -EINVAL);
	assert_string_equal(err.msg, "seccomp flags 0x100000: unknown");
	free_profile(s);
}

static void passes_tsync_log_and_spec_allow_flags_to_the_kernel(void **state)
{
	static const char *const names[] = {"getppid", NULL};
	struct spec_seccomp *s = new_profile(SCMP_ACT_ALLOW);
	struct child_report rep;

	add_rule(s, SCMP_ACT_ERRNO(EPERM), names, NULL, 0);
	s->flags =
	    SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	run_child(s, probe_getppid, NULL, &rep);
	assert_string_equal(rep.msg, "");
	assert_int_equal(rep.results[0], -EPERM);
	free_profile(s);
}

static void notify_without_listener_path_is_an_error(void **state)
{
	static const char *const names[] = {"getppid", NULL};
	struct spec_seccomp *s = new_profile(SCMP_ACT_ALLOW);
	struct ctr_error err = CTR_ERROR_INIT;

	add_rule(s, SCMP_ACT_NOTIFY, names, NULL, 0);
	assert_int_equal(process_seccomp_load(s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "listenerPath"));
	free_profile(s);
}

/* The listener's side: the fd, the JSON text, and the sender's pid as the
 * kernel translated it (SO_PASSCRED). */
static int receive_fd(int conn, char *text, size_t len, pid_t *sender)
{
	char control[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = {.iov_base = text, .iov_len = len - 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = control,
			    .msg_controllen = sizeof(control)};
	ssize_t n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	int fd = -1;

	assert_true(n > 0);
	text[n] = '\0';
	*sender = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		if (cm->cmsg_type == SCM_CREDENTIALS)
			*sender = ((struct ucred *)CMSG_DATA(cm))->pid;
	}
	assert_true(fd >= 0);
	return fd;
}

/* The agent side: answer the first notified syscall with 4242. */
static void answer_one_notification(int notify_fd)
{
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;

	assert_int_equal(seccomp_notify_alloc(&req, &resp), 0);
	assert_int_equal(seccomp_notify_receive(notify_fd, req), 0);
	assert_int_equal(req->data.nr, SYS_getppid);
	resp->id = req->id;
	resp->val = 4242;
	resp->error = 0;
	resp->flags = 0;
	assert_int_equal(seccomp_notify_respond(notify_fd, resp), 0);
	seccomp_notify_free(req, resp);
}

static struct spec_seccomp *notify_profile(const char *socket_path)
{
	static const char *const names[] = {"getppid", NULL};
	struct spec_seccomp *s = new_profile(SCMP_ACT_ALLOW);

	add_rule(s, SCMP_ACT_NOTIFY, names, NULL, 0);
	s->listener_path = xstrdup(socket_path);
	s->listener_metadata = xstrdup("ctr \"test\"");
	/* TSYNC with a listener needs TSYNC_ESRCH: covered here too. */
	s->flags = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	return s;
}

static int listen_at(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	assert_int_equal(bind(listener, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(listener, 1), 0);
	return listener;
}

/* Child: load the profile, call getppid (notified). Agent: answer 4242. */
static void check_notify_round_trip(const struct spec_seccomp *s, int listener)
{
	int conn, notify_fd, fds[2], status, one = 1;
	struct child_report rep;
	pid_t pid, sender;
	char text[1024];

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct child_args args = {s, probe_getppid, NULL};

		close(fds[0]);
		child_main(fds[1], &args);
	}
	close(fds[1]);
	conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	assert_true(conn >= 0);
	assert_int_equal(setsockopt(conn, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	notify_fd = receive_fd(conn, text, sizeof(text), &sender);
	assert_string_equal(text, "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],"
				  "\"metadata\":\"ctr \\\"test\\\"\"}");
	assert_int_equal(sender, pid);
	answer_one_notification(notify_fd);

	assert_int_equal(read_all(fds[0], &rep, sizeof(rep)), sizeof(rep));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_string_equal(rep.msg, "");
	assert_int_equal(rep.results[0], 4242);
	close(notify_fd);
	close(conn);
	close(fds[0]);
}

static void sends_notify_fd_and_metadata_to_the_listener(void **state)
{
	char dir[] = "/tmp/ctr-process-test-XXXXXX";
	_cleanup_free_ char *path = xasprintf("%s/listener.sock", mkdtemp(dir));
	struct spec_seccomp *s = notify_profile(path);
	int listener = listen_at(path);

	check_notify_round_trip(s, listener);
	close(listener);
	unlink(path);
	rmdir(dir);
	free_profile(s);
}

/* The child's view of paths is the container's: prepare connects while
 * the host's socket path is still reachable, the child uses that. */
static void prepared_profile_reaches_listener_connected_before_fork(void **state)
{
	char dir[] = "/tmp/ctr-process-test-XXXXXX";
	_cleanup_free_ char *path = xasprintf("%s/listener.sock", mkdtemp(dir));
	struct spec_seccomp *s = notify_profile(path);
	struct ctr_error err = CTR_ERROR_INIT;
	int listener = listen_at(path);

	assert_int_equal(process_seccomp_prepare(s, NULL, &err), 0);
	assert_int_equal(unlink(path), 0); /* connecting from the child would fail */
	check_notify_round_trip(s, listener);
	close(listener);
	rmdir(dir);
	free_profile(s);
}

/* A config.json seccomp object, the way the spec reader compiles it. */
static uint32_t action_from_name(const char *a, int errno_ret)
{
	if (!strcmp(a, "SCMP_ACT_ALLOW"))
		return SCMP_ACT_ALLOW;
	if (!strcmp(a, "SCMP_ACT_ERRNO"))
		return SCMP_ACT_ERRNO(errno_ret);
	if (!strcmp(a, "SCMP_ACT_LOG"))
		return SCMP_ACT_LOG;
	if (!strcmp(a, "SCMP_ACT_KILL_PROCESS"))
		return SCMP_ACT_KILL_PROCESS;
	return SCMP_ACT_KILL;
}

static uint32_t action_from_json(json_object *j, const char *action_key, const char *errno_key)
{
	json_object *errno_ret = json_object_object_get(j, errno_key);

	return action_from_name(json_object_get_string(json_object_object_get(j, action_key)),
				errno_ret ? json_object_get_int(errno_ret) : EPERM);
}

static void rule_from_json(struct spec_seccomp_rule *r, json_object *j)
{
	json_object *names = json_object_object_get(j, "names");
	json_object *args = json_object_object_get(j, "args");

	r->action = action_from_json(j, "action", "errnoRet");
	for (size_t i = 0; i < json_object_array_length(names); i++)
		strv_append(&r->names, json_object_get_string(json_object_array_get_idx(names, i)));
	r->n_args = args ? json_object_array_length(args) : 0;
	r->args = xcalloc(r->n_args + 1, sizeof(*r->args));
	for (size_t i = 0; i < r->n_args; i++) {
		json_object *a = json_object_array_get_idx(args, i);

		r->args[i].index = json_object_get_int(json_object_object_get(a, "index"));
		r->args[i].value = json_object_get_uint64(json_object_object_get(a, "value"));
		r->args[i].op = SCMP_CMP_EQ; /* the only op the podman profile uses */
	}
}

static struct spec_seccomp *profile_from_json(const char *path)
{
	json_object *root = json_object_from_file(path);
	json_object *archs, *rules;
	struct spec_seccomp *s;

	assert_non_null(root);
	s = xzalloc(sizeof(*s));
	s->default_action = action_from_json(root, "defaultAction", "defaultErrnoRet");
	archs = json_object_object_get(root, "architectures");
	s->n_archs = json_object_array_length(archs);
	s->archs = xcalloc(s->n_archs, sizeof(*s->archs));
	for (size_t i = 0; i < s->n_archs; i++) {
		_cleanup_free_ char *name =
		    xstrdup(json_object_get_string(json_object_array_get_idx(archs, i)) +
			    strlen("SCMP_ARCH_"));

		for (char *c = name; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		s->archs[i] = seccomp_arch_resolve_name(name);
		assert_int_not_equal(s->archs[i], 0);
	}
	rules = json_object_object_get(root, "syscalls");
	s->n_rules = json_object_array_length(rules);
	s->rules = xcalloc(s->n_rules, sizeof(*s->rules));
	for (size_t i = 0; i < s->n_rules; i++)
		rule_from_json(&s->rules[i], json_object_array_get_idx(rules, i));
	json_object_put(root);
	return s;
}

static long elapsed_us(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000L + (b->tv_nsec - a->tv_nsec) / 1000;
}

static void probe_timed_load(long *r, void *arg)
{
	const struct spec_seccomp *s = arg;
	struct ctr_error err = CTR_ERROR_INIT;
	struct timespec t0, t1;

	/* The filter under test is loaded here; child_main loaded an empty one. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r[0] = process_seccomp_load(s, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r[1] = elapsed_us(&t0, &t1);
	r[2] = errno_of(syscall(SYS_getppid));
	r[3] = errno_of(syscall(SYS_kexec_load, 0, 0, NULL, 0));
	r[4] = errno_of(syscall(SYS_add_key, NULL, NULL, NULL, 0, 0));
}

static int compare_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static long median_load_us(struct spec_seccomp *s)
{
	struct spec_seccomp *empty = new_profile(SCMP_ACT_ALLOW);
	long times[7];
	struct child_report rep;

	for (size_t i = 0; i < ARRAY_SIZE(times); i++) {
		run_child(empty, probe_timed_load, s, &rep);
		assert_int_equal(rep.results[0], 0);
		assert_int_equal(rep.results[2], getpid());
		assert_int_equal(rep.results[3], -EPERM);  /* errnoRet 1 in the profile */
		assert_int_equal(rep.results[4], -ENOSYS); /* not named: defaultErrnoRet 38 */
		times[i] = rep.results[1];
	}
	free_profile(empty);
	qsort(times, ARRAY_SIZE(times), sizeof(times[0]), compare_long);
	return times[ARRAY_SIZE(times) / 2];
}

static long prepare_us(const struct spec_seccomp *s, const char *cache_dir)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(process_seccomp_prepare(s, cache_dir, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return elapsed_us(&t0, &t1);
}

/* Podman's default profile (434 names, 3 archs): compiled in the child,
 * then prepared before fork (cold, from the cache) and only loaded there. */
static void prepared_podman_profile_loads_without_compiling(void **state)
{
	struct spec_seccomp *s = profile_from_json(SRCDIR "/tests/unit/data/seccomp-podman.json");
	char dir[] = "/tmp/ctr-process-test-XXXXXX";
	_cleanup_free_ char *cache = NULL, *cmd = NULL;
	long in_child, cold, warm, prepared;

	assert_non_null(mkdtemp(dir));
	cache = xasprintf("%s/cache", dir);
	in_child = median_load_us(s);
	cold = prepare_us(s, cache);
	warm = prepare_us(s, cache);
	prepared = median_load_us(s);
	print_message("seccomp, podman profile: compile+load in child %ld us; prepare %ld us "
		      "(cache hit %ld us); load of the prepared program %ld us\n",
		      in_child, cold, warm, prepared);
	assert_true(prepared * 4 < in_child);
	assert_true(warm * 4 < cold);
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free_profile(s);
}

static void probe_getppid_only(long *r, void *arg)
{
	r[0] = errno_of(syscall(SYS_getppid));
}

/* A profile no other test uses, so the prepared program stays its own. */
static struct spec_seccomp *cache_test_profile(void)
{
	static const char *const names[] = {"getppid", "ctr_cache_test", NULL};
	struct spec_seccomp *s = new_profile(SCMP_ACT_ALLOW);

	add_rule(s, SCMP_ACT_ERRNO(EPERM), names, NULL, 0);
	return s;
}

static char *only_cache_file(const char *cache)
{
	_cleanup_free_ char *cmd = xasprintf("ls %s/*.bpf", cache);
	char line[512] = "";
	FILE *ls = popen(cmd, "r");
	int lines = 0;

	assert_non_null(ls);
	while (fgets(line, sizeof(line), ls))
		lines++;
	pclose(ls);
	assert_int_equal(lines, 1);
	line[strcspn(line, "\n")] = '\0';
	return xstrdup(line);
}

/* Replace the program in a cache file, keeping its key. */
static void rewrite_cached_program(const char *path, const struct sock_filter *insns, size_t n)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	uint64_t key_len;

	assert_int_equal(read_file_at(AT_FDCWD, path, &data, &len, &err), 0);
	memcpy(&key_len, data, sizeof(key_len));
	data = xrealloc(data, sizeof(key_len) + key_len + n * sizeof(*insns));
	memcpy(data + sizeof(key_len) + key_len, insns, n * sizeof(*insns));
	assert_int_equal(write_file_atomic_at(AT_FDCWD, path, data,
					      sizeof(key_len) + key_len + n * sizeof(*insns), 0600,
					      &err),
			 0);
}

static void reuses_cached_program_for_an_identical_profile(void **state)
{
	const struct sock_filter allow_all[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct spec_seccomp *s = cache_test_profile();
	char dir[] = "/tmp/ctr-process-test-XXXXXX";
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *cache = NULL, *file = NULL, *cmd = NULL;
	struct child_report rep;

	assert_non_null(mkdtemp(dir));
	cache = xasprintf("%s/cache", dir);
	assert_int_equal(process_seccomp_prepare(s, cache, &err), 0);
	file = only_cache_file(cache);
	run_child(s, probe_getppid_only, NULL, &rep);
	assert_int_equal(rep.results[0], -EPERM);

	/* The cached program is what gets loaded: swap it, see the effect. */
	rewrite_cached_program(file, allow_all, ARRAY_SIZE(allow_all));
	assert_int_equal(process_seccomp_prepare(s, cache, &err), 0);
	run_child(s, probe_getppid_only, NULL, &rep);
	assert_int_equal(rep.results[0], getpid());

	/* Without the cache the profile is compiled again. */
	assert_int_equal(process_seccomp_prepare(s, NULL, &err), 0);
	run_child(s, probe_getppid_only, NULL, &rep);
	assert_int_equal(rep.results[0], -EPERM);
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free_profile(s);
}

static void ignores_cache_dir_others_can_write(void **state)
{
	struct spec_seccomp *s = cache_test_profile();
	char dir[] = "/tmp/ctr-process-test-XXXXXX";
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *cache = NULL, *cmd = NULL;
	struct child_report rep;

	assert_non_null(mkdtemp(dir));
	cache = xasprintf("%s/cache", dir);
	assert_int_equal(mkdir(cache, 0777), 0);
	assert_int_equal(chmod(cache, 0777), 0);
	assert_int_equal(process_seccomp_prepare(s, cache, &err), 0);
	assert_int_equal(rmdir(cache), 0); /* still empty */
	run_child(s, probe_getppid_only, NULL, &rep);
	assert_int_equal(rep.results[0], -EPERM);
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free_profile(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(default_profile_blocks_keyctl_kexec_and_handles_with_eperm),
	    cmocka_unit_test(answers_enosys_for_syscalls_newer_than_the_profile),
	    cmocka_unit_test(any_errno_default_answers_newer_syscalls_with_enosys),
	    cmocka_unit_test(skips_syscall_names_unknown_to_libseccomp),
	    cmocka_unit_test(ors_conditions_on_one_argument_and_ands_across_arguments),
	    cmocka_unit_test(masked_eq_takes_mask_from_value_and_datum_from_value_two),
	    cmocka_unit_test(rejects_unknown_filter_flags),
	    cmocka_unit_test(passes_tsync_log_and_spec_allow_flags_to_the_kernel),
	    cmocka_unit_test(notify_without_listener_path_is_an_error),
	    cmocka_unit_test(sends_notify_fd_and_metadata_to_the_listener),
	    cmocka_unit_test(prepared_profile_reaches_listener_connected_before_fork),
	    cmocka_unit_test(prepared_podman_profile_loads_without_compiling),
	    cmocka_unit_test(reuses_cached_program_for_an_identical_profile),
	    cmocka_unit_test(ignores_cache_dir_others_can_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
