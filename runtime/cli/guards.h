/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guards.h - the checks before a verb changes a container's files in the
 * store (clone, snapshot, restore, snapshot rm).
 */
#ifndef CTR_CLI_GUARDS_H
#define CTR_CLI_GUARDS_H

#include "cli.h"

/* The store cannot see the overlay a running container has mounted in its
 * own namespace; the runtime store (/run/ctr) can.
 * 0 when name has no live init in the runtime store (absent or stopped);
 * -EBUSY "container 'web' is running (stop it first)" otherwise. A state
 * that cannot be read counts as busy: better refuse than corrupt. */
int cli_require_stopped(const struct ctr_globals *g, const char *name, struct ctr_error *err);

/* Clones and snapshots are of the store's layers: a container whose config
 * says "rootfs = DIR" runs on DIR itself, which they would not copy (two
 * containers would share one root). -EINVAL "container 'x' runs on the
 * directory DIR (rootfs), not on an image: clone and snapshot need an
 * image". A config that does not parse is not this check's business. */
int cli_require_image_root(struct store *st, const char *name, struct ctr_error *err);

#endif
