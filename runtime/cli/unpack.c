/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unpack.c - ctr-unpack, the helper the oci and tarball templates call
 * (found through $CTR_UNPACK): unpacks an archive with the store's
 * libarchive code (store_unpack_archive: layer order, whiteouts, entries
 * kept inside the target) and prints what the image config says the
 * container runs as native config lines (ctr-config(5)) on stdout:
 *
 *   Entrypoint + Cmd -> init = WORDS (quoted as init's word splitting reads)
 *   Env              -> env = KEY=VALUE, one line each
 *   WorkingDir       -> cwd = PATH
 *   User             -> user = UID:GID (names looked up in the unpacked
 *                       rootfs's /etc/passwd and /etc/group)
 *
 *   ctr-unpack [--kind auto|rootfs|image] [--quiet] ARCHIVE TARGET
 *
 * Progress goes to stderr when it is a terminal, unless --quiet or
 * $CTR_QUIET. Exit codes: 0, 1 failure, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "config_native.h"
#include "progress.h"
#include "rootfs/store.h"
#include "syscalls.h"
#include "util.h"

/* ---- User: names resolved in the rootfs ---- */

/* /etc/passwd or /etc/group of the unpacked rootfs, read without leaving
 * it (the image's own symlinks stay inside). NULL when missing. */
static char *read_in_rootfs(int rootfd, const char *path)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_close_ int fd = sys_openat2(rootfd, path, &how);
	char fdpath[32], *text = NULL;
	size_t len;

	if (fd < 0)
		return NULL;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	return read_file_at(AT_FDCWD, fdpath, &text, &len, &err) == 0 ? text : NULL;
}

/* In a passwd/group text, the line whose first field is name: its third
 * field (the id) and, for passwd, its fourth (the primary group). */
static bool lookup_entry(const char *text, const char *name, uint32_t *id, uint32_t *group)
{
	size_t n = strlen(name);

	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line) {
		uint64_t a, b = 0;
		char *end;

		if (strncmp(line, name, n) != 0 || line[n] != ':')
			continue;
		const char *f = strchr(line + n + 1, ':'); /* past the password */
		if (!f)
			return false;
		a = strtoull(f + 1, &end, 10);
		if (end == f + 1 || *end != ':')
			return false;
		if (group)
			b = strtoull(end + 1, NULL, 10);
		if (a >= UINT32_MAX || b >= UINT32_MAX)
			return false;
		*id = (uint32_t)a;
		if (group)
			*group = (uint32_t)b;
		return true;
	}
	return false;
}

static bool numeric_id(const char *s, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) < 0 || v >= UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* "name", "uid", "name:group", "uid:gid" -> numbers. Without a group, a
 * named user's primary group (0 for a bare number, as in ctr-config). */
static int resolve_user(int rootfd, const char *spec, uid_t *uid, gid_t *gid, struct ctr_error *err)
{
	_cleanup_free_ char *copy = xstrdup(spec), *passwd = NULL, *group = NULL;
	char *g = strchr(copy, ':');
	uint32_t u = 0, grp = 0;

	if (g)
		*g++ = '\0';
	if (!numeric_id(copy, &u)) {
		passwd = read_in_rootfs(rootfd, "/etc/passwd");
		if (!passwd || !lookup_entry(passwd, copy, &u, &grp))
			return ctr_error(err, EINVAL,
					 "User '%s': no user '%s' in the image's /etc/passwd", spec,
					 copy);
	}
	if (g && !numeric_id(g, &grp)) {
		group = read_in_rootfs(rootfd, "/etc/group");
		if (!group || !lookup_entry(group, g, &grp, NULL))
			return ctr_error(err, EINVAL,
					 "User '%s': no group '%s' in the image's /etc/group", spec,
					 g);
	}
	*uid = u;
	*gid = grp;
	return 0;
}

/* ---- the image config as native config ---- */

static char **concat(char **a, char **b)
{
	char **out = xcalloc(1, sizeof(char *));

	for (size_t i = 0; a && a[i]; i++)
		strv_append(&out, a[i]);
	for (size_t i = 0; b && b[i]; i++)
		strv_append(&out, b[i]);
	if (!out[0]) {
		free(out);
		return NULL;
	}
	return out;
}

static int to_native(const struct store_image_config *cfg, int rootfd, struct native_config *c,
		     struct ctr_error *err)
{
	c->init = concat(cfg->entrypoint, cfg->cmd);
	c->env = concat(cfg->env, NULL);
	/* OCI's WorkingDir is absolute; an old docker image may say "app". */
	if (cfg->working_dir)
		c->cwd = cfg->working_dir[0] == '/' ? xstrdup(cfg->working_dir)
						    : xasprintf("/%s", cfg->working_dir);
	if (cfg->user) {
		int ret = resolve_user(rootfd, cfg->user, &c->uid, &c->gid, err);
		if (ret < 0)
			return ret;
		c->has_user = true;
	}
	return 0;
}

/* The lines, checked by the parser ctr start will use: what we print is
 * what the container gets. */
static int print_config(const struct native_config *c, struct ctr_error *err)
{
	_cleanup_free_ char *text = config_native_format(c);
	_cleanup_free_ char *probe = xasprintf("image = probe\n%s", text);
	struct native_config *back = NULL;
	int ret = config_native_parse(probe, strlen(probe), "image config", &back, err);

	native_config_free(back);
	if (ret < 0)
		return ret;
	fputs(text, stdout);
	return fflush(stdout) == 0 ? 0 : ctr_errno(err, "write the config");
}

/* ---- main ---- */

struct unpack_opts {
	enum store_archive_kind kind;
	bool quiet;
};

enum { O_KIND, O_QUIET, O_HELP };

static int option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct unpack_opts *o = data;

	if (id == O_KIND)
		return cli_parse_archive_kind(value, &o->kind, err);
	if (id == O_QUIET)
		o->quiet = true;
	if (id == O_HELP) {
		printf("usage: ctr-unpack [--kind auto|rootfs|image] [--quiet] ARCHIVE TARGET\n");
		exit(0);
	}
	return 0;
}

static int unpack(const char *archive, const char *target, const struct unpack_opts *o,
		  struct ctr_error *err)
{
	struct store_image_config cfg = {0};
	struct native_config c = {0};
	_cleanup_free_ char *what = xasprintf("unpacking %s", archive);
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
		ret = to_native(&cfg, rootfd, &c, err);
	if (ret == 0)
		ret = print_config(&c, err);
	strv_free(c.init);
	strv_free(c.env);
	free(c.cwd);
	store_image_config_free(&cfg);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct opt_def defs[] = {
	    {"kind", 'k', true, O_KIND, "auto (default), rootfs or image"},
	    {"quiet", 'q', false, O_QUIET, "no progress on a terminal"},
	    {"help", 'h', false, O_HELP, "show this help"},
	    {NULL, 0, false, 0, NULL},
	};
	struct unpack_opts o = {STORE_ARCHIVE_AUTO, false};
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char **pos = NULL;
	int n = cli_args_parse(defs, argc - 1, argv + 1, option, &o, &pos, &err);

	if (n >= 0 && n != 2)
		n = ctr_error(&err, EINVAL, "usage: ctr-unpack [--kind KIND] ARCHIVE TARGET");
	if (n < 0) {
		fprintf(stderr, "ctr-unpack: %s\n", err.msg);
		return 2;
	}
	if (unpack(pos[0], pos[1], &o, &err) < 0) {
		fprintf(stderr, "ctr-unpack: %s\n", err.msg);
		return 1;
	}
	return 0;
}
