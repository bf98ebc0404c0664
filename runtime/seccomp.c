/* SPDX-License-Identifier: GPL-2.0-or-later */
/* seccomp.c - a struct spec_seccomp as a libseccomp filter; the built-in profile. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

bool process_seccomp_wants_enosys(const struct spec_seccomp *s)
{
	uint32_t a = s->default_action;

	return a != SCMP_ACT_ALLOW && a != SCMP_ACT_LOG && a != SCMP_ACT_ERRNO(ENOSYS);
}

int process_seccomp_highest_known(uint32_t arch)
{
	int highest = -1;

	for (int nr = 0; nr < SECCOMP_PROBE_LIMIT; nr++) {
		_cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(arch, nr);

		if (name)
			highest = nr;
	}
	return highest;
}

/* A syscall newer than the profile is one its author could not know about:
 * answering ENOSYS makes glibc and friends fall back to the older call,
 * where EPERM would make them fail. */
static int add_enosys_above(scmp_filter_ctx ctx, const struct spec_seccomp *s, int max_nr,
			    struct ctr_error *err)
{
	uint32_t native = seccomp_arch_native();

	if (!process_seccomp_wants_enosys(s))
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
	/* A binary tree over syscall numbers instead of a linear chain: the
	 * kernel's load (it emulates the filter for every syscall number to
	 * build its allow cache) drops from ~1.2 ms to ~0.45 ms for podman's
	 * profile, and every filtered syscall walks log(n) compares. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (ret >= 0)
		ret = add_archs(ctx, s, err);
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
