/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_clone.c - `ctr clone SRC DST`: a copy-on-write copy of a stopped
 * container (constant time: the store freezes SRC's upper into a shared
 * layer). DST gets SRC's config; a hostname that was SRC's name becomes
 * DST's, since it was naming the container rather than a chosen host;
 * the same goes for the names inside its root (clone_names.h).
 */
#include "args.h"
#include "cli.h"
#include "clone_names.h"
#include "cmd_store.h"
#include "guards.h"
#include "util.h"

static int clone_locked(struct store *st, const char *src, const char *dst, struct ctr_error *err)
{
	int ret = store_container_clone(st, src, dst, err);

	if (ret < 0)
		return ret;
	ret = clone_rename_config(st, src, dst, err);
	if (ret == 0)
		ret = clone_rename_root(st, src, dst, err);
	if (ret < 0) {
		struct ctr_error ignored = CTR_ERROR_INIT;
		store_container_destroy(st, dst, &ignored);
		return ctr_error_prefix(err, "config of %s", dst);
	}
	return 0;
}

int cmd_clone(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	static const struct opt_def defs[] = {{NULL, 0, false, 0, NULL}};
	_cleanup_free_ char **pos = NULL;
	struct store st;
	int n = cli_args_parse(defs, argc, argv, NULL, NULL, &pos, err);
	int ret;

	if (n >= 0)
		n = cli_args_count(n, 2, 2, "ctr clone SRC DST", err);
	if (n < 0)
		return n;
	ret = cli_store_open(g, &st, err);
	if (ret < 0)
		return ret;
	/* Held across the check and the change, so no other ctr changes
	 * either container in between. */
	ret = store_lock(&st, true, err);
	if (ret == 0) {
		ret = cli_require_stopped(g, pos[0], err);
		if (ret == 0 && store_container_exists(&st, pos[0]))
			ret = cli_require_image_root(&st, pos[0], err);
		if (ret == 0)
			ret = clone_locked(&st, pos[0], pos[1], err);
		store_unlock(&st);
	}
	store_close(&st);
	return ret;
}
