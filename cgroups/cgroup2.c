/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup2.c - the driver of a cgroup2 hierarchy (the whole host on v2, the
 * "unified" mount on a hybrid host): controllers are passed down through
 * the ancestors' cgroup.subtree_control, freezing is cgroup.freeze with the
 * outcome read from cgroup.events, SIGKILL for a whole tree is cgroup.kill.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cg_internal.h"
#include "syscalls.h"
#include "util.h"

#define FREEZE_TIMEOUT_MS 2000

static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += len) {
		bool start = p == list || p[-1] == ' ' || p[-1] == '\n';
		bool end = p[len] == '\0' || p[len] == ' ' || p[len] == '\n';

		if (start && end)
			return true;
	}
	return false;
}

/* Enable each controller in one ancestor; those limits need must succeed,
 * the rest (enabled only because a v2 host delegates all) may not. */
static int enable_in(const char *dir, unsigned int wanted, unsigned int needed,
		     struct ctr_error *err)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *present = NULL;

	if (fd < 0)
		return ctr_errno(err, "open %s", dir);
	if (cg_read(fd, "cgroup.subtree_control", &present, err) < 0)
		return ctr_error_prefix(err, "%s", dir);
	for (unsigned int bit = 1; bit && bit <= wanted; bit <<= 1) {
		const char *name = cg_ctrl_name(bit, true);
		_cleanup_free_ char *cmd = NULL;

		if (!(wanted & bit) || has_word(present, name))
			continue;
		cmd = xasprintf("+%s", name);
		if (cg_write(fd, "cgroup.subtree_control", cmd, err) < 0 && (needed & bit))
			return ctr_error_prefix(err, "enable %s controller in %s", name, dir);
		ctr_error_clear(err);
	}
	return 0;
}

static int v2_prepare(const struct cg_dir *d, unsigned int needed, struct ctr_error *err)
{
	size_t root_len = strlen(d->hier->mountpoint);
	/* A v2 host delegates everything it has (containers expect it); a hybrid
	 * host's unified mount is shared, so only what the limits need. */
	unsigned int wanted = needed | (d->hier->name[0] == '\0' ? d->hier->ctrls : 0);
	_cleanup_free_ char *anc = xstrdup(d->abs);

	wanted &= d->hier->ctrls;
	if ((needed & ~d->hier->ctrls) != 0)
		return ctr_error(err, ENOTSUP, "controllers missing in %s", d->hier->mountpoint);
	if (!wanted)
		return 0;
	for (char *p = anc + root_len;; p = strchr(p + 1, '/')) {
		char saved = *p;
		int ret;

		*p = '\0';
		ret =
		    enable_in(p == anc + root_len ? d->hier->mountpoint : anc, wanted, needed, err);
		*p = saved;
		if (ret < 0)
			return ret;
		if (!strchr(p + 1, '/'))
			return 0; /* the next one is the leaf itself: processes live there */
	}
}

static int read_frozen(int events_fd, bool *frozen, struct ctr_error *err)
{
	char buf[512];
	ssize_t n = pread(events_fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return ctr_errno(err, "read cgroup.events");
	buf[n] = '\0';
	/* "populated 1\nfrozen 0\n" */
	*frozen = str_has_prefix(buf, "frozen 1") || strstr(buf, "\nfrozen 1");
	return 0;
}

/* cgroup.events changes are signalled as POLLPRI on an open fd. */
static int wait_frozen(const struct cg_dir *d, bool want, struct ctr_error *err)
{
	_cleanup_close_ int fd = openat(d->fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	long deadline = cg_now_ms() + FREEZE_TIMEOUT_MS;

	if (fd < 0)
		return ctr_errno(err, "open %s/cgroup.events", d->abs);
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLPRI};
		bool frozen;
		long left;

		if (read_frozen(fd, &frozen, err) < 0)
			return ctr_error_prefix(err, "%s", d->abs);
		if (frozen == want)
			return 0;
		left = deadline - cg_now_ms();
		if (left <= 0)
			return ctr_error(err, ETIMEDOUT, "%s: still %s after %d ms", d->abs,
					 want ? "not frozen" : "frozen", FREEZE_TIMEOUT_MS);
		if (poll(&pfd, 1, (int)(left < 10 ? left : 10)) < 0 && errno != EINTR)
			return ctr_errno(err, "poll %s/cgroup.events", d->abs);
	}
}

static int v2_freeze(const struct cg_dir *d, bool frozen, struct ctr_error *err)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	int ret;

	ret = cg_write(d->fd, "cgroup.freeze", frozen ? "1" : "0", err);
	if (ret < 0)
		return ctr_error_prefix(err, "%s", d->abs);
	ret = wait_frozen(d, frozen, err);
	if (ret < 0 && frozen)
		(void)cg_write(d->fd, "cgroup.freeze", "0",
			       &ignored); /* no half-frozen leftovers */
	return ret;
}

static int v2_is_frozen(const struct cg_dir *d, bool *frozen, struct ctr_error *err)
{
	_cleanup_close_ int fd = openat(d->fd, "cgroup.events", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return ctr_errno(err, "open %s/cgroup.events", d->abs);
	return read_frozen(fd, frozen, err);
}

static int v2_kill_all(const struct cg_dir *d, struct ctr_error *err)
{
	if (!cg_file_exists(d->fd, "cgroup.kill"))
		return -EOPNOTSUPP;
	if (cg_write(d->fd, "cgroup.kill", "1", err) < 0)
		return ctr_error_prefix(err, "%s", d->abs);
	return 0;
}

const struct cg_driver cg_driver_v2 = {
    .name = "cgroup2",
    .prepare = v2_prepare,
    .freeze = v2_freeze,
    .is_frozen = v2_is_frozen,
    .kill_all = v2_kill_all,
};

/* Deeper than systemd nests (slice/slice/unit/sub) and bounded: the
 * container owns this tree and could make it as deep as the kernel lets. */
#define SUBTREE_MAX_DEPTH 64

/* Preorder: a parent's line comes before its children's, the order in
 * which they can be enabled again. Takes dir_fd, the directory at rel. */
static int walk_subtree_control(int dir_fd, const char *rel, int depth, FILE *out,
				struct ctr_error *err)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_close_ int fd = dir_fd;
	_cleanup_free_ char *ctrls = NULL;
	struct dirent *e;
	DIR *dir;
	int ret = cg_read(fd, "cgroup.subtree_control", &ctrls, &ignored);

	if (ret < 0 && depth && (ret == -ENOENT || ret == -ENODEV))
		return 0; /* a unit's cgroup removed while we walk */
	if (ret < 0)
		return ctr_errnum(err, ret, "cgroup %s: read cgroup.subtree_control", rel);
	ctrls[strcspn(ctrls, "\n")] = '\0';
	if (!*ctrls)
		return 0; /* nothing enabled here, so nothing below either */
	fprintf(out, "%s\t%s\n", rel, ctrls);
	if (depth >= SUBTREE_MAX_DEPTH)
		return ctr_error(err, ELOOP, "cgroup %s: sub-cgroups nested deeper than %d", rel,
				 SUBTREE_MAX_DEPTH);
	if (!(dir = fdopendir(fd)))
		return ctr_errno(err, "cgroup %s: list sub-cgroups", rel);
	fd = -1; /* the DIR's now */
	while (ret == 0 && (e = readdir(dir))) {
		_cleanup_free_ char *sub_rel = NULL;
		int sub;

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		sub =
		    openat(dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue; /* removed meanwhile */
		sub_rel =
		    strcmp(rel, ".") ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		ret = walk_subtree_control(sub, sub_rel, depth + 1, out, err);
	}
	closedir(dir);
	return ret;
}

int cg_subtree_control(const struct cg_handle *h, char **out, struct ctr_error *err)
{
	size_t len = 0;
	FILE *f;
	int fd, ret;

	*out = NULL;
	if (h->v2_dir < 0)
		return 0;
	/* Its own open file for the walk: listing moves the offset. */
	fd = openat(h->dirs[h->v2_dir].fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ctr_errno(err, "cgroup %s", h->path);
	if (!(f = open_memstream(out, &len))) {
		close(fd);
		return ctr_errno(err, "open_memstream");
	}
	ret = walk_subtree_control(fd, ".", 0, f, err);
	fclose(f);
	if (ret < 0 || len == 0) {
		free(*out);
		*out = NULL;
	}
	return ret;
}

/* One line of cg_subtree_control's text: its directory, beneath the
 * container's, then its controllers. A line without a tab (images of
 * earlier builds) is the container's own directory. */
static int enable_line(const struct cg_handle *h, char *line, struct ctr_error *err)
{
	struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					  RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
	char *tab = strchr(line, '\t'), *ctrls = line;
	const char *rel = ".";
	_cleanup_close_ int fd = -1;
	char *save = NULL;

	if (tab) {
		*tab = '\0';
		rel = line;
		ctrls = tab + 1;
	}
	fd = sys_openat2(h->dirs[h->v2_dir].fd, rel, &how);
	if (fd < 0 && errno == ENOENT)
		return 0; /* no such sub-cgroup was made again */
	if (fd < 0)
		return ctr_errno(err, "cgroup %s/%s", h->path, rel);
	for (char *w = strtok_r(ctrls, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		_cleanup_free_ char *cmd = xasprintf("+%s", w);

		if (cg_write(fd, "cgroup.subtree_control", cmd, err) < 0)
			return ctr_error_prefix(err, "enable %s below %s/%s", w, h->path, rel);
	}
	return 0;
}

int cg_enable_subtree(const struct cg_handle *h, const char *text, struct ctr_error *err)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;

	if (h->v2_dir < 0)
		return 0;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int ret = enable_line(h, line, err);

		if (ret < 0)
			return ret;
	}
	return 0;
}
