/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image_config.c - what an OCI/docker image config says the container
 * runs, as native config lines (ctr-config(5)); for ctr-unpack.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_native.h"
#include "image_config.h"
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

int image_config_lines(const struct store_image_config *cfg, int rootfd, char **lines,
		       struct ctr_error *err)
{
	struct native_config c = {0};
	_cleanup_free_ char *text = NULL, *probe = NULL;
	struct native_config *back = NULL;
	int ret = to_native(cfg, rootfd, &c, err);

	if (ret == 0) {
		/* Checked by the parser ctr start uses: what we print is what
		 * the container gets. */
		text = config_native_format(&c);
		probe = xasprintf("image = probe\n%s", text);
		ret = config_native_parse(probe, strlen(probe), "image config", &back, err);
		native_config_free(back);
	}
	strv_free(c.init);
	strv_free(c.env);
	free(c.cwd);
	if (ret == 0)
		*lines = steal_ptr(text);
	return ret;
}

int image_config_lines_of(struct store *st, const char *image, char **lines, struct ctr_error *err)
{
	struct store_image_info info = {0};
	_cleanup_free_ char *root = NULL;
	_cleanup_close_ int rootfd = -1;
	int ret = store_image_info(st, image, &info, err);

	if (ret < 0)
		return ret;
	root = xasprintf("%s/images/%s/rootfs", st->root, image);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		ret = ctr_errno(err, "open %s", root);
	else
		ret = image_config_lines(&info.config, rootfd, lines, err);
	store_image_info_free(&info);
	return ret < 0 ? ctr_error_prefix(err, "image %s", image) : 0;
}
