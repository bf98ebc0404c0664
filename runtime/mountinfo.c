/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mountinfo.c - /proc/PID/mountinfo read into entries. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "mountinfo.h"
#include "util.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescaped(const char *s)
{
	char *out = xstrdup(s), *o = out;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw" */
static bool parse_line(char *line, struct mountinfo_entry *e)
{
	char *sep = strstr(line, " - "), *f[5], *save = NULL, *opts;
	unsigned int major, minor;
	size_t n = 0;

	if (!sep)
		return false;
	*sep = '\0';
	for (char *t = strtok_r(line, " ", &save); t && n < ARRAY_SIZE(f); t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	save = NULL;
	sep = strtok_r(sep + 3, " ", &save);
	(void)strtok_r(NULL, " ", &save); /* source */
	opts = strtok_r(NULL, " ", &save);
	if (n < 5 || !sep || !opts || sscanf(f[2], "%u:%u", &major, &minor) != 2)
		return false;
	e->dev = makedev(major, minor);
	e->root = unescaped(f[3]);
	e->mountpoint = unescaped(f[4]);
	e->fstype = xstrdup(sep);
	e->super_opts = xstrdup(opts);
	return true;
}

void mountinfo_parse(const char *text, struct mountinfo_entry **out, size_t *n)
{
	_cleanup_free_ char *copy = xstrdup(text);
	struct mountinfo_entry *v = NULL;
	char *save = NULL;
	size_t len = 0;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mountinfo_entry e;

		if (!parse_line(line, &e))
			continue;
		v = xrealloc(v, (len + 1) * sizeof(*v));
		v[len++] = e;
	}
	*out = v;
	*n = len;
}

int mountinfo_read(pid_t pid, struct mountinfo_entry **out, size_t *n, struct ctr_error *err)
{
	_cleanup_free_ char *path = pid ? xasprintf("/proc/%d/mountinfo", (int)pid)
					: xstrdup("/proc/self/mountinfo");
	_cleanup_free_ char *text = NULL;
	size_t len;
	int ret = read_file_at(AT_FDCWD, path, &text, &len, err);

	if (ret < 0)
		return ret;
	mountinfo_parse(text, out, n);
	return 0;
}

void mountinfo_free(struct mountinfo_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].root);
		free(v[i].mountpoint);
		free(v[i].fstype);
		free(v[i].super_opts);
	}
	free(v);
}

/* Is p below (or at) dir, as paths? The rest of p after it, else NULL. */
static const char *below(const char *p, const char *dir)
{
	size_t l = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return p;
	if (strncmp(p, dir, l) != 0 || (p[l] != '/' && p[l] != '\0'))
		return NULL;
	return p + l;
}

char *mountinfo_reach(const struct mountinfo_entry *v, size_t n, dev_t dev, const char *root)
{
	for (size_t i = 0; i < n; i++) {
		const char *rest;

		if (v[i].dev != dev || !(rest = below(root, v[i].root)))
			continue;
		if (strcmp(v[i].mountpoint, "/") == 0)
			return xstrdup(*rest ? rest : "/");
		return xasprintf("%s%s", v[i].mountpoint, strcmp(rest, "/") == 0 ? "" : rest);
	}
	return NULL;
}
