/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process.h - turning the container child (or an exec'd process) into the
 * process the spec describes, just before execve.
 *
 * The launcher calls, inside the container, after rootfs_pivot (sysctl
 * before rootfs_finish makes /proc/sys read-only, the rest after):
 *   process_apply_sysctl()       linux.sysctl through /proc/sys
 *   process_apply_limits()       rlimits, oomScoreAdj, personality
 *   process_finalize()           umask, user and groups, capabilities,
 *                                no_new_privs and seccomp, in the order that
 *                                lets each step still be allowed: without
 *                                no_new_privs the seccomp filter is loaded
 *                                while CAP_SYS_ADMIN is still held; with it,
 *                                seccomp comes last. cwd is entered as the
 *                                target user.
 *   process_exec()               PATH lookup in the container, execve.
 * Between finalize and exec the launcher may only block on its exec fifo
 * (read) and run startContainer hooks.
 */
#ifndef CTR_PROCESS_H
#define CTR_PROCESS_H

#include "error.h"
#include "spec.h"

int process_apply_sysctl(const struct spec_linux *linux_spec, struct ctr_error *err);
int process_apply_limits(const struct spec *spec, const struct spec_process *p,
			 struct ctr_error *err);
int process_finalize(const struct spec_process *p, const struct spec_seccomp *seccomp,
		     struct ctr_error *err);

/* The executable lookup process_exec does, without the exec, so that a
 * missing binary fails `create` rather than `start`; same error wording. */
int process_check_executable(const struct spec_process *p, struct ctr_error *err);

/* Only returns on failure, in runc's words (podman maps them to exit codes
 * 127/126): exec: "foo": executable file not found in $PATH,
 * exec: "/bin/x": permission denied, exec: "/bin/x": no such file or directory. */
int process_exec(const struct spec_process *p, struct ctr_error *err);

/* Optional, in the runtime before clone (the child inherits the result):
 * compile the seccomp profile now, or take it from cache_dir when an
 * identical profile was compiled before (NULL: no cache; the directory is
 * created 0700 and only used while it is ours and not group/world
 * writable). process_finalize then only hands the kernel the finished
 * program instead of spending libseccomp's ~20 ms in the child. A profile
 * with SCMP_ACT_NOTIFY also gets its listenerPath connected here, while
 * the host's paths are in view: that socket (close-on-exec) must survive
 * until process_finalize, so do not close it with the child's other fds. */
int process_seccomp_prepare(const struct spec_seccomp *s, const char *cache_dir,
			    struct ctr_error *err);

/* The built-in seccomp profile that `ctr` containers and `ctr-oci spec` use:
 * a default allow list, keyring/kexec/module/open_by_handle_at and similar
 * blocked with EPERM, syscalls newer than the profile answered ENOSYS. */
struct spec_seccomp *process_default_seccomp(void);

#endif
