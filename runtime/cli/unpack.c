/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unpack.c - ctr-unpack, the helper the oci and tarball templates call
 * (found through $CTR_UNPACK): unpacks an archive with the store's
 * libarchive code (store_unpack_archive: layer order, whiteouts, entries
 * kept inside the target) and prints what the image config says the
 * container runs as native config lines (ctr-config(5)) on stdout, as
 * image_config.h says.
 *
 *   ctr-unpack [--kind auto|rootfs|image] [--quiet] ARCHIVE TARGET
 *   ctr-unpack --store ROOT [--kind ...] [--quiet] ARCHIVE IMAGE
 *
 * The second form imports the archive as image IMAGE of the store at ROOT
 * (store_image_import_archive): `ctr image import` runs it, so that ctr
 * itself does not link libarchive.
 *
 * Progress goes to stderr when it is a terminal, unless --quiet or
 * $CTR_QUIET. Exit codes: 0, 1 failure, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "image_config.h"
#include "progress.h"
#include "rootfs/store.h"
#include "util.h"

/* ---- main ---- */

struct unpack_opts {
	enum store_archive_kind kind;
	bool quiet;
	const char *store;
	int error_fd; /* where the error line goes (ctr reads it); -1: stderr */
};

enum { O_KIND, O_QUIET, O_STORE, O_ERROR_FD, O_HELP };

static int option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct unpack_opts *o = data;

	if (id == O_KIND)
		return cli_parse_archive_kind(value, &o->kind, err);
	if (id == O_QUIET)
		o->quiet = true;
	if (id == O_STORE)
		o->store = value;
	if (id == O_ERROR_FD)
		o->error_fd = atoi(value);
	if (id == O_HELP) {
		printf("usage: ctr-unpack [--kind auto|rootfs|image] [--quiet] ARCHIVE TARGET\n"
		       "       ctr-unpack --store ROOT [--kind ...] [--quiet] ARCHIVE IMAGE\n");
		exit(0);
	}
	return 0;
}

static int unpack(const char *archive, const char *target, const struct unpack_opts *o,
		  struct ctr_error *err)
{
	struct store_image_config cfg = {0};
	_cleanup_free_ char *what = xasprintf("unpacking %s", archive);
	_cleanup_free_ char *lines = NULL;
	_cleanup_close_ int rootfd = -1;
	struct progress p;
	int ret;

	progress_init(&p, what, stderr, o->quiet || getenv("CTR_QUIET"));
	store_set_progress(progress_store_hook, &p);
	ret = store_unpack_archive(archive, target, o->kind, &cfg, err);
	store_set_progress(NULL, NULL);
	progress_done(&p, ret == 0);
	if (ret == 0 && (rootfd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		ret = ctr_errno(err, "open %s", target);
	if (ret == 0)
		ret = image_config_lines(&cfg, rootfd, &lines, err);
	if (ret == 0 && (fputs(lines, stdout) < 0 || fflush(stdout) != 0))
		ret = ctr_errno(err, "write the config");
	store_image_config_free(&cfg);
	return ret;
}

static int import(const char *archive, const char *image, const struct unpack_opts *o,
		  struct ctr_error *err)
{
	_cleanup_free_ char *what = xasprintf("importing %s", archive);
	struct store st;
	struct progress p;
	int ret = store_open(o->store, true, &st, err);

	if (ret < 0)
		return ret;
	progress_init(&p, what, stderr, o->quiet || getenv("CTR_QUIET"));
	store_set_progress(progress_store_hook, &p);
	ret = store_image_import_archive(&st, image, archive, o->kind, archive, NULL, err);
	store_set_progress(NULL, NULL);
	progress_done(&p, ret == 0);
	store_close(&st);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct opt_def defs[] = {
	    {"kind", 'k', true, O_KIND, "auto (default), rootfs or image"},
	    {"quiet", 'q', false, O_QUIET, "no progress on a terminal"},
	    {"store", 0, true, O_STORE, "import as an image of this store"},
	    {"error-fd", 0, true, O_ERROR_FD, NULL},
	    {"help", 'h', false, O_HELP, "show this help"},
	    {NULL, 0, false, 0, NULL},
	};
	struct unpack_opts o = {STORE_ARCHIVE_AUTO, false, NULL, -1};
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char **pos = NULL;
	int n = cli_args_parse(defs, argc - 1, argv + 1, option, &o, &pos, &err);

	if (n >= 0 && n != 2)
		n = ctr_error(&err, EINVAL, "usage: ctr-unpack [--kind KIND] ARCHIVE TARGET");
	if (n < 0) {
		fprintf(stderr, "ctr-unpack: %s\n", err.msg);
		return 2;
	}
	if ((o.store ? import(pos[0], pos[1], &o, &err) : unpack(pos[0], pos[1], &o, &err)) < 0) {
		if (o.error_fd >= 0)
			dprintf(o.error_fd, "%s", err.msg);
		else
			fprintf(stderr, "ctr-unpack: %s\n", err.msg);
		return 1;
	}
	return 0;
}
