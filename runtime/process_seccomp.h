/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process_seccomp.h - from a struct spec_seccomp to a loaded filter.
 *
 * seccomp.c compiles the profile with libseccomp. Semantics on top of a
 * plain translation:
 *  - syscall names libseccomp does not know are skipped, not errors (a
 *    profile written for a newer kernel still loads);
 *  - conditions on different argument indices are ANDed, conditions on the
 *    same index ORed (one libseccomp rule per combination);
 *  - unless the default action lets syscalls through, every syscall
 *    libseccomp knows above the highest one the profile names answers
 *    ENOSYS, so glibc falls back instead of failing with EPERM; syscalls
 *    even libseccomp does not know get the same answer from a short
 *    prefix to the exported program (process_seccomp.c).
 *
 * process_seccomp.c turns that into a BPF program and hands it to the
 * kernel itself with seccomp(2): the profile's flags map one to one onto
 * SECCOMP_FILTER_FLAG_*, and a program compiled earlier (before clone, or
 * by an earlier container: process_seccomp_prepare) is loaded as is.
 * libseccomp needs ~20 ms for podman's profile, the kernel ~0.1 ms.
 * No_new_privs is never set here: process_finalize decides.
 */
#ifndef CTR_PROCESS_SECCOMP_H
#define CTR_PROCESS_SECCOMP_H

#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "spec.h"

/* Build the libseccomp filter (not loaded). Release *out with seccomp_release. */
int process_seccomp_build(const struct spec_seccomp *s, scmp_filter_ctx *out,
			  struct ctr_error *err);

/* Whether newer syscalls are to answer ENOSYS: the default action refuses
 * them, and not already with ENOSYS. */
bool process_seccomp_wants_enosys(const struct spec_seccomp *s);

/* The highest syscall number libseccomp knows for this arch (-1: none
 * below the probe limit). */
int process_seccomp_highest_known(uint32_t arch);

/* Load into the calling process, reusing what process_seccomp_prepare
 * compiled for an identical profile. With SCMP_ACT_NOTIFY rules the notify
 * fd is sent (SCM_RIGHTS) to the socket at listener_path, resolved in the
 * caller's mount namespace, with the JSON message
 * {"ociVersion","fds":["seccompFd"],"metadata"} and our pid as
 * SCM_CREDENTIALS (which the kernel translates for the listener). */
int process_seccomp_load(const struct spec_seccomp *s, struct ctr_error *err);

#endif
