/* SPDX-License-Identifier: GPL-2.0-or-later */
/* events.c - a live container's cgroup for events, update and OOM reports. */
#include <string.h>

#include "events.h"
#include "lifecycle_internal.h"

/* Under the container's lock: its cgroup, if it is live and has one. */
static int open_live_cgroup(struct ctr_runtime *rt, const char *id, struct container_state *cs,
			    struct cg_handle **cg, struct ctr_error *err)
{
	_cleanup_close_ int dirfd = -1;
	enum container_status st;
	int ret;

	ret = lc_open_status(rt, id, false, cs, &dirfd, &st, err);
	if (ret < 0)
		return ret;
	if (!lc_is_live(st))
		return ctr_error(err, ESRCH, "container not running");
	if (!cs->cgroup_path)
		return ctr_error(err, ENOTSUP, "container %s has no cgroup (cgroups disabled)", id);
	return cg_open(cs->cgroup_path, cg, err);
}

int container_watch_open(struct ctr_runtime *rt, const char *id, struct container_watch *w,
			 struct ctr_error *err)
{
	_cleanup_state_ struct container_state cs = {0};
	struct ctr_error ignored = CTR_ERROR_INIT;
	int ret;

	w->cg = NULL;
	w->pidfd = -1;
	ret = open_live_cgroup(rt, id, &cs, &w->cg, err);
	if (ret < 0)
		return ret;
	w->pidfd = lc_open_init_pidfd(&cs, &ignored);
	return 0;
}

void container_watch_close(struct container_watch *w)
{
	if (w->cg)
		cg_free(w->cg);
	if (w->pidfd >= 0)
		close(w->pidfd);
	w->cg = NULL;
	w->pidfd = -1;
}

int container_update(struct ctr_runtime *rt, const char *id, const struct spec_resources *res,
		     struct ctr_error *err)
{
	_cleanup_state_ struct container_state cs = {0};
	struct cg_handle *cg = NULL;
	int ret;

	ret = open_live_cgroup(rt, id, &cs, &cg, err);
	if (ret < 0)
		return ret;
	ret = cg_update(cg, res, err);
	cg_free(cg);
	return ret;
}

bool container_oom_killed(struct ctr_runtime *rt, const char *id)
{
	_cleanup_state_ struct container_state cs = {0};
	_cleanup_close_ int dirfd = -1;
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct cg_handle *cg = NULL;
	uint64_t n = 0;

	if (lc_open_locked(rt, id, false, &cs, &dirfd, &ignored) < 0 || !cs.cgroup_path ||
	    cg_open(cs.cgroup_path, &cg, &ignored) < 0)
		return false;
	if (cg_oom_count(cg, &n, &ignored) < 0)
		n = 0;
	cg_free(cg);
	return n > 0;
}
