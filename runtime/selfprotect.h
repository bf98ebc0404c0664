/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * selfprotect.h - keeping the runtime binary out of a container's reach.
 *
 * A process that enters a container still runs the runtime's image until it
 * execs; if something in the container could open /proc/PID/exe and write
 * to it, it would replace the host's binary. Before a verb that puts a
 * process into a container, the runtime re-executes itself from a sealed
 * memfd copy, so /proc/PID/exe names an anonymous, write-sealed file.
 *
 * Who could reach the runtime image inside a container:
 *  - exec: the joining process is visible to every process already in the
 *    container, some of which may hold CAP_SYS_PTRACE: always re-exec.
 *  - create: the init waits in the runtime image until `start`, and `exec`
 *    may join it meanwhile: always re-exec.
 *  - run with a new pid namespace: the init is alone in its namespace and
 *    execs without waiting; nothing in the container exists before its
 *    execve to look at it (it is also non-dumpable meanwhile). The copy
 *    would protect nothing, so run skips it. With a shared or joined pid
 *    namespace, run re-execs like create.
 */
#ifndef CTR_SELFPROTECT_H
#define CTR_SELFPROTECT_H

#include "error.h"

/* Returns 0 when already running from a sealed copy; otherwise only returns
 * on failure (the process image is replaced). */
int selfprotect_reexec(char **argv, struct ctr_error *err);

/* The argv to re-execute with; set once by main(). */
void selfprotect_set_argv(char **argv);
char **selfprotect_argv(void);

#endif
