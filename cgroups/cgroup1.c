/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup1.c - the driver of one v1 hierarchy: new cpuset directories start
 * with empty cpus/mems (no task could run in them), so they are seeded from
 * the parent; freezing is freezer.state, polled until FROZEN; there is no
 * whole-tree kill.
 */
#include <fcntl.h>
#include <string.h>
#include <time.h>

#include "cg_internal.h"
#include "util.h"

#define FREEZE_TIMEOUT_MS 2000

static bool blank(const char *s)
{
	return s[strspn(s, " \n")] == '\0';
}

static int seed_one(int parent, int child, const char *file, struct ctr_error *err)
{
	_cleanup_free_ char *mine = NULL, *theirs = NULL;

	if (cg_read(child, file, &mine, err) < 0)
		return -err->code;
	if (!blank(mine))
		return 0;
	if (cg_read(parent, file, &theirs, err) < 0)
		return -err->code;
	return cg_write(child, file, theirs, err);
}

/* The usual start: only the leaf is new and its parent is usable. Then the
 * leaf takes the parent's values without reading itself or walking from the
 * root (a third of the syscalls). 1 when done, 0 to walk, -errno. */
static int seed_new_leaf(const struct cg_dir *d, struct ctr_error *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	_cleanup_free_ char *cpus = NULL, *mems = NULL;
	_cleanup_close_ int parent = -1;

	if (strv_len(d->made) != 1 || strcmp(d->made[0], d->abs) != 0 || d->fd < 0)
		return 0;
	parent = openat(d->fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0)
		return 0;
	if (cg_read(parent, files[0], &cpus, err) < 0 ||
	    cg_read(parent, files[1], &mems, err) < 0) {
		ctr_error_clear(err);
		return 0;
	}
	if (blank(cpus) || blank(mems))
		return 0;
	if (cg_write(d->fd, files[0], cpus, err) < 0 || cg_write(d->fd, files[1], mems, err) < 0)
		return ctr_error_prefix(err, "seed cpuset of %s", d->abs);
	return 1;
}

/* Top-down, so every directory's parent is already seeded. */
static int v1_prepare(const struct cg_dir *d, unsigned int needed, struct ctr_error *err)
{
	size_t root_len = strlen(d->hier->mountpoint);
	_cleanup_close_ int parent = -1;
	_cleanup_free_ char *anc = xstrdup(d->abs);
	int ret;

	(void)needed;
	if (!(d->hier->ctrls & CG_CPUSET))
		return 0;
	ret = seed_new_leaf(d, err);
	if (ret != 0)
		return ret < 0 ? ret : 0;
	parent = open(d->hier->mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0)
		return ctr_errno(err, "open %s", d->hier->mountpoint);
	for (char *p = strchr(anc + root_len + 1, '/');; p = strchr(p + 1, '/')) {
		_cleanup_close_ int child = -1;

		if (p)
			*p = '\0';
		child = open(anc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (child < 0)
			return ctr_errno(err, "open %s", anc);
		if (seed_one(parent, child, "cpuset.cpus", err) < 0 ||
		    seed_one(parent, child, "cpuset.mems", err) < 0)
			return ctr_error_prefix(err, "seed cpuset of %s", anc);
		closep(&parent);
		parent = steal_fd(child);
		if (!p)
			return 0;
		*p = '/';
	}
}

static int read_state(const struct cg_dir *d, char *buf, size_t len, struct ctr_error *err)
{
	_cleanup_free_ char *state = NULL;

	if (cg_read(d->fd, "freezer.state", &state, err) < 0)
		return ctr_error_prefix(err, "%s", d->abs);
	snprintf(buf, len, "%.*s", (int)strcspn(state, "\n"), state);
	return 0;
}

static int v1_freeze(const struct cg_dir *d, bool frozen, struct ctr_error *err)
{
	const char *want = frozen ? "FROZEN" : "THAWED";
	struct ctr_error ignored = CTR_ERROR_INIT;
	long waited = 0, delay = 1;
	char state[32];

	for (;;) {
		/* FREEZING can stall on a task in an uninterruptible sleep;
		 * writing FROZEN again retries the ones left. */
		if (cg_write(d->fd, "freezer.state", want, err) < 0)
			return ctr_error_prefix(err, "%s", d->abs);
		if (read_state(d, state, sizeof(state), err) < 0)
			return -err->code;
		if (strcmp(state, want) == 0)
			return 0;
		if (waited >= FREEZE_TIMEOUT_MS)
			break;
		cg_sleep_ms(delay);
		waited += delay;
		delay = delay < 16 ? delay * 2 : delay;
	}
	if (frozen)
		(void)cg_write(d->fd, "freezer.state", "THAWED", &ignored);
	return ctr_error(err, ETIMEDOUT, "%s: freezer still %s after %d ms", d->abs, state,
			 FREEZE_TIMEOUT_MS);
}

static int v1_is_frozen(const struct cg_dir *d, bool *frozen, struct ctr_error *err)
{
	char state[32];

	if (read_state(d, state, sizeof(state), err) < 0)
		return -err->code;
	*frozen = strcmp(state, "FROZEN") == 0;
	return 0;
}

static int v1_kill_all(const struct cg_dir *d, struct ctr_error *err)
{
	(void)d;
	(void)err;
	return -EOPNOTSUPP;
}

const struct cg_driver cg_driver_v1 = {
    .name = "cgroup v1",
    .prepare = v1_prepare,
    .freeze = v1_freeze,
    .is_frozen = v1_is_frozen,
    .kill_all = v1_kill_all,
};
