/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * selfprotect.h - keeping the runtime binary out of a container's reach.
 *
 * A process that enters a container still runs the runtime's image until it
 * execs; if something in the container could open /proc/PID/exe and write
 * to it, it would replace the host's binary. Before a verb that puts a
 * process into a container, the runtime re-executes itself from a sealed
 * memfd copy, so /proc/PID/exe names an anonymous, write-sealed file.
 */
#ifndef CTR_SELFPROTECT_H
#define CTR_SELFPROTECT_H

#include "error.h"

/* Returns 0 when already running from a sealed copy; otherwise only returns
 * on failure (the process image is replaced). */
int selfprotect_reexec(char **argv, struct ctr_error *err);

#endif
