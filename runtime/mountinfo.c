/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mountinfo.c - /proc/PID/mountinfo read into entries. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "mountinfo.h"
#include "util.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo; undone in
 * place (the text only shrinks). */
static char *unescape(char *s)
{
	char *o = s, *start = s;

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
	return start;
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw", split
 * in place. */
static bool parse_line(char *line, struct mountinfo_entry *e)
{
	char *sep = strstr(line, " - "), *f[5], *save = NULL, *opts, *end = NULL;
	unsigned long major, minor = 0;
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
	if (n < 5 || !sep || !opts)
		return false;
	major = strtoul(f[2], &end, 10);
	if (*end != ':' || (minor = strtoul(end + 1, &end, 10), *end))
		return false;
	e->dev = makedev(major, minor);
	e->root = unescape(f[3]);
	e->mountpoint = unescape(f[4]);
	e->fstype = sep;
	e->super_opts = opts;
	return true;
}

void mountinfo_parse(const char *text, struct mountinfo *out)
{
	char *save = NULL;
	size_t cap = 0;

	*out = (struct mountinfo){.buf = xstrdup(text)};
	for (char *line = strtok_r(out->buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (out->n == cap)
			out->v = xrealloc(out->v, (cap = cap ? 2 * cap : 32) * sizeof(*out->v));
		if (parse_line(line, &out->v[out->n]))
			out->n++;
	}
}

int mountinfo_read(pid_t pid, struct mountinfo *out, struct ctr_error *err)
{
	_cleanup_free_ char *path = pid ? xasprintf("/proc/%d/mountinfo", (int)pid)
					: xstrdup("/proc/self/mountinfo");
	_cleanup_free_ char *text = NULL;
	size_t len;
	int ret = read_file_at(AT_FDCWD, path, &text, &len, err);

	if (ret < 0)
		return ret;
	mountinfo_parse(text, out);
	return 0;
}

void mountinfo_free(struct mountinfo *m)
{
	free(m->v);
	free(m->buf);
	*m = (struct mountinfo){0};
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

char *mountinfo_reach(const struct mountinfo *m, dev_t dev, const char *root)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct mountinfo_entry *e = &m->v[i];
		const char *rest;

		if (e->dev != dev || !(rest = below(root, e->root)))
			continue;
		if (strcmp(e->mountpoint, "/") == 0)
			return xstrdup(*rest ? rest : "/");
		return xasprintf("%s%s", e->mountpoint, strcmp(rest, "/") == 0 ? "" : rest);
	}
	return NULL;
}
