/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <json-c/json.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "process.h"
#include "process_seccomp.h"
#include "util.h"

/* The kernel passes at most six syscall arguments. */
#define SECCOMP_MAX_ARGS 6
/* A rule whose conditions multiply out to more libseccomp rules than this is
 * a mistake in the profile, not something to compile. */
#define SECCOMP_MAX_COMBINATIONS 256
/* Highest native syscall number probed when extending with ENOSYS. */
#define SECCOMP_PROBE_LIMIT 1024

struct seccomp_flag {
	unsigned int flag;
	int attr; /* enum scmp_filter_attr, -1 when this libseccomp lacks it */
	const char *name;
};

static const struct seccomp_flag seccomp_flags[] = {
    {SECCOMP_FILTER_FLAG_TSYNC, SCMP_FLTATR_CTL_TSYNC, "SECCOMP_FILTER_FLAG_TSYNC"},
    {SECCOMP_FILTER_FLAG_LOG, SCMP_FLTATR_CTL_LOG, "SECCOMP_FILTER_FLAG_LOG"},
    {SECCOMP_FILTER_FLAG_SPEC_ALLOW, SCMP_FLTATR_CTL_SSB, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"},
#ifdef SCMP_FLTATR_CTL_WAITKILL
    {SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, SCMP_FLTATR_CTL_WAITKILL,
     "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"},
#else
    {SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, -1, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"},
#endif
};

static int set_flags(scmp_filter_ctx ctx, unsigned int flags, struct ctr_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_flags); i++) {
		const struct seccomp_flag *f = &seccomp_flags[i];
		int ret;

		if (!(flags & f->flag))
			continue;
		flags &= ~f->flag;
		if (f->attr < 0)
			return ctr_error(err, ENOTSUP,
					 "seccomp flag %s: not supported by libseccomp %u.%u",
					 f->name, SCMP_VER_MAJOR, SCMP_VER_MINOR);
		ret = seccomp_attr_set(ctx, (enum scmp_filter_attr)f->attr, 1);
		if (ret < 0)
			return ctr_errnum(err, ret, "seccomp flag %s", f->name);
	}
	if (flags)
		return ctr_error(err, EINVAL, "seccomp flags 0x%x: unknown", flags);
	return 0;
}

static int add_archs(scmp_filter_ctx ctx, const struct spec_seccomp *s, struct ctr_error *err)
{
	for (size_t i = 0; i < s->n_archs; i++) {
		int ret = seccomp_arch_add(ctx, s->archs[i]);

		/* The native arch is already in a fresh filter. */
		if (ret < 0 && ret != -EEXIST)
			return ctr_errnum(err, ret, "seccomp architecture 0x%x", s->archs[i]);
	}
	return 0;
}

/* Conditions grouped by argument index: the rule matches when, for every
 * index that has conditions, one of them holds. */
struct arg_groups {
	const struct spec_seccomp_arg *by_index[SECCOMP_MAX_ARGS][SECCOMP_MAX_ARGS * 8];
	size_t count[SECCOMP_MAX_ARGS];
};

static int group_args(const struct spec_seccomp_rule *rule, struct arg_groups *g,
		      size_t *combinations, struct ctr_error *err)
{
	memset(g, 0, sizeof(*g));
	*combinations = 1;
	for (size_t i = 0; i < rule->n_args; i++) {
		unsigned int idx = rule->args[i].index;

		if (idx >= SECCOMP_MAX_ARGS)
			return ctr_error(err, EINVAL, "argument index %u out of range", idx);
		if (g->count[idx] == ARRAY_SIZE(g->by_index[idx]))
			return ctr_error(err, E2BIG, "too many conditions on argument %u", idx);
		g->by_index[idx][g->count[idx]++] = &rule->args[i];
	}
	for (unsigned int idx = 0; idx < SECCOMP_MAX_ARGS; idx++) {
		if (g->count[idx])
			*combinations *= g->count[idx];
		if (*combinations > SECCOMP_MAX_COMBINATIONS)
			return ctr_error(err, E2BIG, "conditions expand to more than %d rules",
					 SECCOMP_MAX_COMBINATIONS);
	}
	return 0;
}

/* The n-th combination: a mixed-radix counter over the indices in use. */
static unsigned int combination(const struct arg_groups *g, size_t n, struct scmp_arg_cmp *cmp)
{
	unsigned int used = 0;

	for (unsigned int idx = 0; idx < SECCOMP_MAX_ARGS; idx++) {
		const struct spec_seccomp_arg *a;

		if (!g->count[idx])
			continue;
		a = g->by_index[idx][n % g->count[idx]];
		n /= g->count[idx];
		cmp[used++] = (struct scmp_arg_cmp){
		    .arg = a->index,
		    .op = (enum scmp_compare)a->op,
		    .datum_a = a->value,
		    .datum_b = a->value_two,
		};
	}
	return used;
}

static int add_syscall(scmp_filter_ctx ctx, const struct spec_seccomp_rule *rule, int nr,
		       const struct arg_groups *g, size_t combinations)
{
	for (size_t n = 0; n < combinations; n++) {
		struct scmp_arg_cmp cmp[SECCOMP_MAX_ARGS];
		unsigned int used = combination(g, n, cmp);
		int ret = seccomp_rule_add_array(ctx, rule->action, nr, used, cmp);

		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Adds the rule for every name libseccomp knows; raises *max_nr to the
 * highest native syscall number named. */
static int add_rule(scmp_filter_ctx ctx, const struct spec_seccomp *s, size_t r, int *max_nr,
		    struct ctr_error *err)
{
	const struct spec_seccomp_rule *rule = &s->rules[r];
	struct arg_groups groups;
	size_t combinations;
	int ret;

	ret = group_args(rule, &groups, &combinations, err);
	if (ret < 0)
		return ctr_error_prefix(err, "seccomp rule %zu", r);
	for (char **name = rule->names; name && *name; name++) {
		int nr = seccomp_syscall_resolve_name(*name);

		if (nr == __NR_SCMP_ERROR) {
			ctr_debug("seccomp: syscall %s unknown to libseccomp, skipped", *name);
			continue;
		}
		if (nr > *max_nr)
			*max_nr = nr;
		/* libseccomp refuses rules that repeat the default action. */
		if (rule->action == s->default_action)
			continue;
		ret = add_syscall(ctx, rule, nr, &groups, combinations);
		if (ret < 0)
			return ctr_errnum(err, ret, "seccomp rule %zu: syscall %s", r, *name);
	}
	return 0;
}

static bool lets_syscalls_through(uint32_t action)
{
	return action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG;
}

/* A syscall newer than the profile is one its author could not know about:
 * answering ENOSYS makes glibc and friends fall back to the older call,
 * where EPERM would make them fail. */
static int add_enosys_above(scmp_filter_ctx ctx, const struct spec_seccomp *s, int max_nr,
			    struct ctr_error *err)
{
	uint32_t native = seccomp_arch_native();

	if (lets_syscalls_through(s->default_action) || s->default_action == SCMP_ACT_ERRNO(ENOSYS))
		return 0;
	for (int nr = max_nr + 1; nr < SECCOMP_PROBE_LIMIT; nr++) {
		_cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(native, nr);
		int ret;

		if (!name)
			continue;
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
		if (ret < 0)
			return ctr_errnum(err, ret, "seccomp: answer ENOSYS for %s", name);
	}
	return 0;
}

int process_seccomp_build(const struct spec_seccomp *s, scmp_filter_ctx *out, struct ctr_error *err)
{
	scmp_filter_ctx ctx;
	int max_nr = -1;
	int ret;

	ctx = seccomp_init(s->default_action);
	if (!ctx)
		return ctr_error(err, EINVAL, "seccomp: invalid default action 0x%x",
				 s->default_action);
	/* process_finalize sets no_new_privs itself, when the spec asks. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (ret >= 0)
		ret = add_archs(ctx, s, err);
	if (ret >= 0)
		ret = set_flags(ctx, s->flags, err);
	for (size_t r = 0; ret >= 0 && r < s->n_rules; r++)
		ret = add_rule(ctx, s, r, &max_nr, err);
	if (ret >= 0)
		ret = add_enosys_above(ctx, s, max_nr, err);
	if (ret < 0) {
		if (!ctr_error_isset(err))
			ctr_errnum(err, ret, "seccomp");
		seccomp_release(ctx);
		return ret;
	}
	*out = ctx;
	return 0;
}

static bool uses_notify(const struct spec_seccomp *s)
{
	if (s->default_action == SCMP_ACT_NOTIFY)
		return true;
	for (size_t i = 0; i < s->n_rules; i++)
		if (s->rules[i].action == SCMP_ACT_NOTIFY)
			return true;
	return false;
}

static char *notify_message(const struct spec_seccomp *s)
{
	json_object *msg = json_object_new_object();
	json_object *fds = json_object_new_array();
	char *text;

	json_object_array_add(fds, json_object_new_string("seccompFd"));
	json_object_object_add(msg, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(msg, "fds", fds);
	json_object_object_add(msg, "pid", json_object_new_int(getpid()));
	json_object_object_add(
	    msg, "metadata",
	    json_object_new_string(s->listener_metadata ? s->listener_metadata : ""));
	text = xstrdup(json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN));
	json_object_put(msg);
	return text;
}

static int send_notify_fd(const struct spec_seccomp *s, int notify_fd, struct ctr_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	_cleanup_close_ int sock = -1;
	_cleanup_free_ char *text = notify_message(s);
	char control[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = text, .iov_len = strlen(text)};
	struct msghdr mh = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control,
	    .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	if (strlen(s->listener_path) >= sizeof(addr.sun_path))
		return ctr_error(err, ENAMETOOLONG, "seccomp listener %s: path too long",
				 s->listener_path);
	strcpy(addr.sun_path, s->listener_path);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &notify_fd, sizeof(int));

	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return ctr_errno(err, "seccomp listener socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return ctr_errno(err, "connect to seccomp listener %s", s->listener_path);
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		return ctr_errno(err, "send seccomp notify fd to %s", s->listener_path);
	return 0;
}

int process_seccomp_load(const struct spec_seccomp *s, struct ctr_error *err)
{
	scmp_filter_ctx ctx = NULL;
	bool notify = uses_notify(s);
	int ret;

	/* Without a listener every notified syscall would hang forever. */
	if (notify && !s->listener_path)
		return ctr_error(err, EINVAL, "seccomp: SCMP_ACT_NOTIFY needs a listenerPath");
	ret = process_seccomp_build(s, &ctx, err);
	if (ret < 0)
		return ret;
	ret = seccomp_load(ctx);
	if (ret < 0) {
		seccomp_release(ctx);
		return ctr_errnum(err, ret, "load seccomp filter");
	}
	if (notify) {
		/* libseccomp keeps the fd; the kernel made it close-on-exec. */
		int fd = seccomp_notify_fd(ctx);

		ret =
		    fd < 0 ? ctr_errnum(err, fd, "seccomp notify fd") : send_notify_fd(s, fd, err);
	}
	seccomp_release(ctx);
	return ret;
}

/*
 * The built-in profile for system containers. A whole distribution runs
 * inside, so the default is to allow; what is refused is what would reach
 * past the container into the shared kernel or host:
 *  - kernel images and modules (kexec_*, *_module): replace or extend the
 *    host kernel;
 *  - keyrings (add_key, request_key, keyctl): not namespaced, a container
 *    could read or fill keys of the host's users;
 *  - open_by_handle_at: opens files by handle, escaping mount and chroot
 *    boundaries (the classic "shocker" escape);
 *  - iopl, ioperm: raw I/O port access to host hardware;
 *  - swapon, swapoff: swap is host-global.
 * EPERM, not ENOSYS: the calls exist, the container may not use them.
 * reboot stays allowed: in a pid namespace it stops the container's init,
 * which is how systemd and busybox init shut a container down.
 */
static const char *const default_blocked[] = {
    "kexec_load", "kexec_file_load", "init_module", "finit_module",	 "delete_module",
    "add_key",	  "request_key",     "keyctl",	    "open_by_handle_at", "iopl",
    "ioperm",	  "swapon",	     "swapoff",
};

/* 32-bit programs in the container must meet the same filter, not the
 * bad-arch kill. */
static const uint32_t default_archs[] = {
    SCMP_ARCH_NATIVE,
#if defined(__x86_64__)
    SCMP_ARCH_X86,
    SCMP_ARCH_X32,
#elif defined(__aarch64__)
    SCMP_ARCH_ARM,
#endif
};

struct spec_seccomp *process_default_seccomp(void)
{
	struct spec_seccomp *s = xzalloc(sizeof(*s));
	struct spec_seccomp_rule *rule;

	s->default_action = SCMP_ACT_ALLOW;
	s->n_archs = ARRAY_SIZE(default_archs);
	s->archs = xcalloc(s->n_archs, sizeof(*s->archs));
	memcpy(s->archs, default_archs, sizeof(default_archs));
	s->n_rules = 1;
	s->rules = xcalloc(1, sizeof(*s->rules));
	rule = &s->rules[0];
	rule->action = SCMP_ACT_ERRNO(EPERM);
	rule->names = xcalloc(ARRAY_SIZE(default_blocked) + 1, sizeof(char *));
	for (size_t i = 0; i < ARRAY_SIZE(default_blocked); i++)
		rule->names[i] = xstrdup(default_blocked[i]);
	return s;
}
