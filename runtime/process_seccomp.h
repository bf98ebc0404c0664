/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process_seccomp.h - compiling a struct spec_seccomp into a libseccomp filter and
 * loading it (process_finalize's last step; also what the tests drive).
 *
 * Semantics on top of a plain translation:
 *  - syscall names libseccomp does not know are skipped, not errors (a
 *    profile written for a newer kernel still loads);
 *  - conditions on different argument indices are ANDed, conditions on the
 *    same index ORed (one libseccomp rule per combination);
 *  - unless the default action lets syscalls through, every syscall
 *    libseccomp knows above the highest one the profile names answers
 *    ENOSYS, so glibc falls back instead of failing with EPERM;
 *  - the filter never sets no_new_privs itself: process_finalize decides.
 */
#ifndef CTR_PROCESS_SECCOMP_H
#define CTR_PROCESS_SECCOMP_H

#include <seccomp.h>

#include "error.h"
#include "spec.h"

/* Build the filter (not loaded). Caller releases *out with seccomp_release. */
int process_seccomp_build(const struct spec_seccomp *s, scmp_filter_ctx *out,
			  struct ctr_error *err);

/* Build and load into the calling process. With SCMP_ACT_NOTIFY rules the
 * notify fd is sent (SCM_RIGHTS) to the socket at listener_path, resolved
 * in the caller's mount namespace, with a JSON message
 * {"ociVersion","fds":["seccompFd"],"pid","metadata"}. */
int process_seccomp_load(const struct spec_seccomp *s, struct ctr_error *err);

#endif
