/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control.c - kill, delete, pause and resume of a container. */
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "hooks.h"
#include "lifecycle_internal.h"
#include "log.h"
#include "syscalls.h"

int lc_open_init_pidfd(const struct container_state *cs, struct ctr_error *err)
{
	int fd;

	if (cs->pid <= 0)
		return ctr_error(err, ESRCH, "container not running");
	fd = sys_pidfd_open(cs->pid, 0);
	if (fd < 0)
		return errno == ESRCH ? ctr_error(err, ESRCH, "container not running")
				      : ctr_errno(err, "pidfd_open %d", (int)cs->pid);
	/* The pidfd pins the process: checking the start time after opening
	 * it closes the window in which the pid could be reused. */
	if (!state_process_alive(cs)) {
		close(fd);
		return ctr_error(err, ESRCH, "container not running");
	}
	return fd;
}

int container_kill(struct ctr_runtime *rt, const char *id, int sig, bool all,
		   struct ctr_error *err)
{
	_cleanup_state_ struct container_state cs = {0};
	_cleanup_close_ int dirfd = -1;
	_cleanup_close_ int pidfd = -1;
	enum container_status st;
	int ret;

	ret = lc_open_status(rt, id, false, &cs, &dirfd, &st, err);
	if (ret < 0)
		return ret;
	if (!lc_is_live(st))
		return ctr_error(err, ESRCH, "container not running");
	if (all && cs.cgroup_path) {
		struct cg_handle *cg = NULL;
		ret = cg_open(cs.cgroup_path, &cg, err);
		if (ret == 0) {
			ret = cg_kill(cg, sig, err);
			cg_free(cg);
		}
		return ret;
	}
	pidfd = lc_open_init_pidfd(&cs, err);
	if (pidfd < 0)
		return pidfd;
	if (sys_pidfd_send_signal(pidfd, sig, NULL, 0) < 0)
		return ctr_errno(err, "send signal %d", sig);
	return 0;
}

/* Kill every process of the container and wait (bounded) for the init. */
static int stop_all(const struct container_state *cs, struct cg_handle *cg,
		    struct ctr_error *err)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_close_ int pidfd = lc_open_init_pidfd(cs, &ignored);
	int ret = 0;

	if (cg)
		ret = cg_kill(cg, SIGKILL, err);
	if (pidfd >= 0) {
		struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
		sys_pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
		if (poll(&pfd, 1, 10000) == 0)
			return ctr_error(err, ETIMEDOUT, "container init %d did not exit",
					 (int)cs->pid);
	}
	return ret;
}

int container_delete(struct ctr_runtime *rt, const char *id, bool force, struct ctr_error *err)
{
	_cleanup_state_ struct container_state cs = {0};
	_cleanup_close_ int dirfd = -1;
	struct cg_handle *cg = NULL;
	enum container_status st;
	int ret;

	ret = lc_open_status(rt, id, true, &cs, &dirfd, &st, err);
	if (ret == -ENOENT && force) {
		ctr_error_clear(err);
		return 0;
	}
	if (ret < 0)
		return ret;
	if ((st == STATUS_RUNNING || st == STATUS_PAUSED) && !force)
		return ctr_error(err, EBUSY, "cannot delete container %s that is not stopped: %s",
				 id, container_status_name(st));
	/* Nothing to stop: the directories are removed by path, unopened. */
	if (st == STATUS_STOPPED && cs.cgroup_path) {
		lc_run_hooks_warn(rt, dirfd, &cs, SPEC_HOOK_POSTSTOP, STATUS_STOPPED);
		ret = cg_remove(cs.cgroup_path, err);
		return ret < 0 ? ret : state_remove(&rt->store, id, err);
	}
	if (cs.cgroup_path && cg_open(cs.cgroup_path, &cg, err) < 0) {
		if (err->code != ENOENT)
			ctr_warn("delete %s: %s", id, err->msg);
		ctr_error_clear(err);
		cg = NULL;
	}
	ret = st == STATUS_STOPPED ? 0 : stop_all(&cs, cg, err);
	if (ret == 0 && st != STATUS_CREATING)
		lc_run_hooks_warn(rt, dirfd, &cs, SPEC_HOOK_POSTSTOP, STATUS_STOPPED);
	if (ret == 0 && cg)
		ret = cg_destroy(cg, err);
	if (cg)
		cg_free(cg);
	if (ret == 0)
		ret = state_remove(&rt->store, id, err);
	return ret;
}

static int set_frozen(struct ctr_runtime *rt, const char *id, bool freeze, struct ctr_error *err)
{
	_cleanup_state_ struct container_state cs = {0};
	_cleanup_close_ int dirfd = -1;
	struct cg_handle *cg = NULL;
	enum container_status st;
	int ret;

	ret = lc_open_status(rt, id, true, &cs, &dirfd, &st, err);
	if (ret < 0)
		return ret;
	if (freeze && st != STATUS_RUNNING)
		return ctr_error(err, EINVAL, "container not running");
	if (!freeze && st != STATUS_PAUSED)
		return ctr_error(err, EINVAL, "container not paused");
	if (!cs.cgroup_path)
		return ctr_error(err, ENOTSUP, "pause needs cgroups, which are disabled");
	ret = cg_open(cs.cgroup_path, &cg, err);
	if (ret < 0)
		return ret;
	ret = cg_freeze(cg, freeze, err);
	cg_free(cg);
	return ret;
}

int container_pause(struct ctr_runtime *rt, const char *id, struct ctr_error *err)
{
	return set_frozen(rt, id, true, err);
}

int container_resume(struct ctr_runtime *rt, const char *id, struct ctr_error *err)
{
	return set_frozen(rt, id, false, err);
}
