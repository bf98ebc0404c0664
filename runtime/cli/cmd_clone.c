/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_clone.c - `ctr clone SRC DST`: a copy-on-write copy of a stopped
 * container (constant time: the store freezes SRC's upper into a shared
 * layer). DST gets SRC's config; a hostname that was SRC's name becomes
 * DST's, since it was naming the container rather than a chosen host;
 * the same goes for the names inside its root (clone_names.h).
 */
#include <fcntl.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "clone_names.h"
#include "cmd_store.h"
#include "guards.h"
#include "util.h"
#include "verbs.h"

/* DST's config as SRC's without SRC's id range (malloc'd). */
static char *without_range(const char *text)
{
	size_t len = strlen(text);
	char *out = xmalloc(len + 1), *o = out;

	for (const char *line = text; *line;) {
		size_t n = strcspn(line, "\n");
		const char *p = line + strspn(line, " \t");

		n += line[n] == '\n';
		if (strncmp(p, "idmap.uid", 9) != 0 && strncmp(p, "idmap.gid", 9) != 0) {
			memcpy(o, line, n);
			o += n;
		}
		line += n;
	}
	*o = '\0';
	return out;
}

/* A clone is a container of its own: with a user namespace, it gets an id
 * range of its own (SRC's files, frozen into a shared layer, are mapped
 * from SRC's range when it starts). */
static int give_own_range(struct cli_ctx *c, const char *dst, struct ctr_error *err)
{
	_cleanup_free_ char *path = store_container_path(&c->st, dst, "config");
	_cleanup_free_ char *text = NULL, *config = NULL;
	size_t len;
	int ret = read_file_at(AT_FDCWD, path, &text, &len, err);

	if (ret < 0)
		return ret;
	config = without_range(text);
	ret = cli_userns_assign(c, dst, &config, err);
	if (ret == 0 && strcmp(config, text) != 0)
		ret = store_container_write_config(&c->st, dst, config, err);
	return ret;
}

/* What clone_rename_root wrote into DST's upper, owned by DST's root. */
static int own_renamed_files(struct cli_ctx *c, const char *dst, struct ctr_error *err)
{
	static const char *const written[] = {"etc", "etc/hostname", "etc/hosts", NULL};
	_cleanup_free_ char *path = store_container_path(&c->st, dst, "config");
	_cleanup_free_ char *text = NULL, *origin = xasprintf("%s/config", dst);
	struct store_mount_spec ms = {0};
	struct native_config *cfg = NULL;
	size_t len;
	int ret = read_file_at(AT_FDCWD, path, &text, &len, err);

	if (ret == 0)
		ret = config_native_parse(text, len, origin, &cfg, err);
	if (ret == 0)
		ret = store_container_rootfs_mount_spec(&c->st, dst, &ms, err);
	if (ret == 0)
		ret = cli_userns_own_upper(ms.upperdir, cfg, written, err);
	store_mount_spec_free(&ms);
	native_config_free(cfg);
	return ret;
}

static int clone_locked(struct cli_ctx *c, const char *src, const char *dst,
			struct ctr_error *err)
{
	int ret = store_container_clone(&c->st, src, dst, err);

	if (ret < 0)
		return ret;
	ret = clone_rename_config(&c->st, src, dst, err);
	if (ret == 0)
		ret = give_own_range(c, dst, err);
	if (ret == 0)
		ret = clone_rename_root(&c->st, src, dst, err);
	if (ret == 0)
		ret = own_renamed_files(c, dst, err);
	if (ret < 0) {
		struct ctr_error ignored = CTR_ERROR_INIT;
		store_container_destroy(&c->st, dst, &ignored);
		cli_userns_release(c, dst, &ignored);
		return ctr_error_prefix(err, "config of %s", dst);
	}
	return 0;
}

int cmd_clone(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	static const struct opt_def defs[] = {{NULL, 0, false, 0, NULL}};
	_cleanup_free_ char **pos = NULL;
	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	int n = cli_args_parse(defs, argc, argv, NULL, NULL, &pos, err);
	int ret;

	if (n >= 0)
		n = cli_args_count(n, 2, 2, "ctr clone SRC DST", err);
	if (n < 0)
		return n;
	ret = cli_ctx_open(g, &c, false, err);
	if (ret < 0)
		return ret;
	/* Held across the check and the change, so no other ctr changes
	 * either container in between. */
	ret = store_lock(&c.st, true, err);
	if (ret == 0) {
		ret = cli_require_stopped(g, pos[0], err);
		if (ret == 0 && store_container_exists(&c.st, pos[0]))
			ret = cli_require_image_root(&c.st, pos[0], err);
		if (ret == 0)
			ret = clone_locked(&c, pos[0], pos[1], err);
		store_unlock(&c.st);
	}
	return ret;
}
