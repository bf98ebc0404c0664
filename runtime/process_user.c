/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process_user.c - process_finalize: umask, groups, user, capabilities,
 * no_new_privs and seccomp, each at the one point where it is still allowed.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "process.h"
#include "process_seccomp.h"
#include "util.h"

/* A user namespace mapped without privilege had to give up setgroups
 * ("deny" in /proc/self/setgroups); setgroups(2) always fails there. */
static bool setgroups_denied(void)
{
	char buf[16] = "";
	_cleanup_close_ int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read_all(fd, buf, sizeof(buf) - 1) < 0)
		return false;
	return str_has_prefix(buf, "deny");
}

static int set_groups(const struct spec_user *u, struct ctr_error *err)
{
	if (setgroups_denied()) {
		ctr_debug("setgroups denied in this user namespace, groups left as they are");
		return 0;
	}
	/* Always, also with no additional gids: the runtime's own groups must
	 * not leak into the container. */
	if (setgroups(u->n_additional_gids, u->additional_gids) < 0)
		return ctr_errno(err, "setgroups");
	return 0;
}

/* Changing away from uid 0 clears every capability unless KEEPCAPS is set;
 * the sets wanted by the spec are installed right after by capset. */
static int switch_user(const struct spec_user *u, struct ctr_error *err)
{
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return ctr_errno(err, "setresgid %u", (unsigned int)u->gid);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return ctr_errno(err, "set keepcaps");
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return ctr_errno(err, "setresuid %u", (unsigned int)u->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return ctr_errno(err, "clear keepcaps");
	return 0;
}

/* Drops what the bounding set must not hold, probing up to the kernel's
 * last capability (PR_CAPBSET_READ says EINVAL past it), so capabilities
 * the spec names but this kernel lacks are ignored. Runs while the process
 * still has CAP_SETPCAP in its effective set. Returns the last capability. */
static int drop_bounding(uint64_t keep, struct ctr_error *err)
{
	int cap;

	for (cap = 0; cap < 64; cap++) {
		int in_set = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

		if (in_set < 0 && errno == EINVAL)
			break;
		if (in_set < 0)
			return ctr_errno(err, "read bounding capability %d", cap);
		if (in_set && !(keep & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return ctr_errno(err, "drop capability %d from the bounding set", cap);
	}
	return cap - 1;
}

static uint64_t caps_up_to(int last)
{
	return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

static int set_caps(const struct spec_caps *caps, uint64_t known, struct ctr_error *err)
{
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	uint64_t eff = caps->effective & known, prm = caps->permitted & known,
		 inh = caps->inheritable & known;

	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		data[i].effective = (uint32_t)(eff >> (32 * i));
		data[i].permitted = (uint32_t)(prm >> (32 * i));
		data[i].inheritable = (uint32_t)(inh >> (32 * i));
	}
	if (syscall(SYS_capset, &header, data) < 0)
		return ctr_errno(err, "capset effective 0x%llx permitted 0x%llx inheritable 0x%llx",
				 (unsigned long long)eff, (unsigned long long)prm,
				 (unsigned long long)inh);
	return 0;
}

static int raise_ambient(uint64_t ambient, struct ctr_error *err)
{
	/* EINVAL: a kernel without ambient capabilities, nothing to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return ctr_errno(err, "clear ambient capabilities");
	for (int cap = 0; cap < 64; cap++)
		if ((ambient & (1ULL << cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return ctr_errno(err, "raise ambient capability %d", cap);
	return 0;
}

static int load_seccomp(const struct spec_seccomp *seccomp, struct ctr_error *err)
{
	return seccomp ? process_seccomp_load(seccomp, err) : 0;
}

/* User, groups and capabilities. Bounding first, while CAP_SETPCAP is
 * still effective; the uid change then clears the effective set, which
 * capset refills from what the spec asks. */
static int apply_identity(const struct spec_process *p, struct ctr_error *err)
{
	static const struct spec_caps no_caps;
	const struct spec_caps *caps = p->has_caps ? &p->caps : &no_caps;
	int ret, last;

	last = drop_bounding(caps->bounding, err);
	if (last < 0)
		return last;
	ret = set_groups(&p->user, err);
	if (ret >= 0)
		ret = switch_user(&p->user, err);
	if (ret >= 0)
		ret = set_caps(caps, caps_up_to(last), err);
	if (ret >= 0)
		ret = raise_ambient(caps->ambient & caps_up_to(last), err);
	return ret;
}

int process_finalize(const struct spec_process *p, const struct spec_seccomp *seccomp,
		     struct ctr_error *err)
{
	int ret;

	if (p->user.has_umask)
		umask(p->user.umask);
	/* Without no_new_privs only CAP_SYS_ADMIN lets us load a filter. */
	if (!p->no_new_privileges) {
		ret = load_seccomp(seccomp, err);
		if (ret < 0)
			return ret;
	}
	ret = apply_identity(p, err);
	if (ret < 0)
		return ret;
	/* As the target user, like runc: a cwd the user cannot enter fails. */
	if (p->cwd && chdir(p->cwd) < 0)
		return ctr_errno(err, "chdir to cwd %s", p->cwd);
	if (p->no_new_privileges) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return ctr_errno(err, "set no_new_privs");
		return load_seccomp(seccomp, err);
	}
	return 0;
}
