/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clone_names.h - after `ctr clone SRC DST`, the places that named SRC as
 * the container (rather than as a name someone chose) name DST:
 *   - the config's "hostname = SRC" line (dropped when DST is no valid
 *     hostname: the default, the container's name, then applies); the rest
 *     of the text, comments included, stays as it was;
 *   - the root's /etc/hostname when it says just SRC, and SRC on the
 *     127.0.1.1 lines of /etc/hosts (what templates write and inits read),
 *     rewritten in DST's upper through a private mount of its overlay,
 *     never leaving the root, keeping mode and owner. Needs root (the
 *     mount); without it only the config changes.
 */
#ifndef CTR_CLI_CLONE_NAMES_H
#define CTR_CLI_CLONE_NAMES_H

#include "error.h"
#include "rootfs/store.h"

int clone_rename_config(struct store *st, const char *src, const char *dst, struct ctr_error *err);
int clone_rename_root(struct store *st, const char *src, const char *dst, struct ctr_error *err);

/* The text transformations (malloc'd result, NULL when nothing changes). */
char *clone_config_text_renamed(const char *text, const char *src, const char *dst);
char *clone_hostname_renamed(const char *text, const char *src, const char *dst);
char *clone_hosts_renamed(const char *text, const char *src, const char *dst);

#endif
