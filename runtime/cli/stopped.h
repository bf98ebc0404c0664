/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stopped.h - the check before a verb changes a container's files in the
 * store (clone, snapshot, restore): the store cannot see the overlay a
 * running container has mounted in its own namespace, the runtime store
 * (/run/ctr) can.
 */
#ifndef CTR_CLI_STOPPED_H
#define CTR_CLI_STOPPED_H

#include "cli.h"

/* 0 when name has no live init in the runtime store (absent or stopped);
 * -EBUSY "container 'web' is running (stop it first)" otherwise. A state
 * that cannot be read counts as busy: better refuse than corrupt. */
int cli_require_stopped(const struct ctr_globals *g, const char *name, struct ctr_error *err);

#endif
