/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image_config.h - an image's config (store_image_config) as the native
 * config lines a template prints (ctr-config(5)):
 *
 *   Entrypoint + Cmd -> init = WORDS (quoted as init's word splitting reads)
 *   Env              -> env = KEY=VALUE, one line each
 *   WorkingDir       -> cwd = PATH (made absolute: old docker images say "app")
 *   User             -> user = UID:GID; names are looked up in the unpacked
 *                       root's /etc/passwd and /etc/group without leaving it;
 *                       a named user without a group gets its primary group,
 *                       a bare number group 0
 *
 * The lines are checked with config_native_parse before they are returned.
 */
#ifndef CTR_CLI_IMAGE_CONFIG_H
#define CTR_CLI_IMAGE_CONFIG_H

#include "error.h"
#include "rootfs/store.h"

/* rootfd: the unpacked root (for User names). *lines malloc'd, "" when the
 * config says nothing. -EINVAL naming User when a name is not found. */
int image_config_lines(const struct store_image_config *cfg, int rootfd, char **lines,
		       struct ctr_error *err);

/* The same for an image of the store (what its import kept in meta.json;
 * User names looked up in its root). "" for an image without a config. */
int image_config_lines_of(struct store *st, const char *image, char **lines, struct ctr_error *err);

#endif
