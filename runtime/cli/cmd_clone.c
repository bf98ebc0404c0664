/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_clone.c - `ctr clone SRC DST`: a copy-on-write copy of a stopped
 * container (constant time: the store freezes SRC's upper into a shared
 * layer). DST gets SRC's config; a hostname that was SRC's name becomes
 * DST's, since it was naming the container rather than a chosen host.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "cmd_store.h"
#include "config_native.h"
#include "stopped.h"
#include "util.h"

/* Is line "hostname = name" (blanks anywhere ctr-config(5) allows)? */
static bool is_hostname_line(const char *line, size_t len, const char *name)
{
	const char *p = line, *end = line + len;
	size_t n = strlen(name);

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(end - p) < 8 || strncmp(p, "hostname", 8) != 0)
		return false;
	for (p += 8; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	if (p == end || *p++ != '=')
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return (size_t)(end - p) == n && strncmp(p, name, n) == 0;
}

/* text with its "hostname = src" line now naming dst (or dropped, so the
 * default, the container's name, applies when dst is no valid hostname);
 * NULL when there is no such line. Everything else, comments too, stays. */
static char *config_renamed(const char *text, const char *src, const char *dst)
{
	_cleanup_free_ char *probe = xasprintf("image = probe\nhostname = %s\n", dst);
	struct ctr_error err = CTR_ERROR_INIT;
	struct native_config *c = NULL;
	bool dst_ok = config_native_parse(probe, strlen(probe), "clone", &c, &err) == 0;
	char *out = NULL;
	size_t outlen = 0;
	bool found = false;
	FILE *f = open_memstream(&out, &outlen);

	if (!f)
		abort(); /* only without memory, like the x-allocators */
	native_config_free(c);
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (is_hostname_line(line, len, src)) {
			found = true;
			if (dst_ok)
				fprintf(f, "hostname = %s\n", dst);
		} else {
			fprintf(f, "%.*s%s", (int)len, line, nl ? "\n" : "");
		}
		line += len + (nl ? 1 : 0);
	}
	fclose(f);
	if (!found)
		free(steal_ptr(out));
	return out;
}

static int fix_hostname(struct store *st, const char *src, const char *dst, struct ctr_error *err)
{
	_cleanup_free_ char *path = store_container_path(st, dst, "config");
	_cleanup_free_ char *text = NULL, *renamed = NULL;
	size_t len;
	int ret = read_file_at(AT_FDCWD, path, &text, &len, err);

	if (ret == -ENOENT) {
		ctr_error_clear(err);
		return 0;
	}
	if (ret < 0)
		return ret;
	renamed = config_renamed(text, src, dst);
	return renamed ? store_container_write_config(st, dst, renamed, err) : 0;
}

static int clone_locked(struct store *st, const char *src, const char *dst, struct ctr_error *err)
{
	int ret = store_container_clone(st, src, dst, err);

	if (ret < 0)
		return ret;
	ret = fix_hostname(st, src, dst, err);
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
		if (ret == 0)
			ret = clone_locked(&st, pos[0], pos[1], err);
		store_unlock(&st);
	}
	store_close(&st);
	return ret;
}
