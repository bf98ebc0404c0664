/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * events.h - what `events` and `update` need from a live container: its
 * cgroup (stats, OOM count, new limits) and a pidfd on its init that says
 * when it stopped. The container's lock is held only while these open, so
 * a long `events` stream never blocks kill or delete.
 */
#ifndef CTR_EVENTS_H
#define CTR_EVENTS_H

#include <stdbool.h>

#include "cgroups/cgroup.h"
#include "lifecycle.h"

struct container_watch {
	struct cg_handle *cg;
	int pidfd; /* readable once the init exits; -1 for a created container's gone init */
};

/* A created, running or paused container's cgroup and init pidfd;
 * "container not running" otherwise, ENOTSUP if it has no cgroup. */
int container_watch_open(struct ctr_runtime *rt, const char *id, struct container_watch *w,
			 struct ctr_error *err);
void container_watch_close(struct container_watch *w);

/* Apply new limits to a live container (nothing is written when the host
 * cannot take one of them). */
int container_update(struct ctr_runtime *rt, const char *id, const struct spec_resources *res,
		     struct ctr_error *err);

/* Did the OOM killer kill a process of the container? For `run`'s exit
 * reason; false when it cannot tell. */
bool container_oom_killed(struct ctr_runtime *rt, const char *id);

#endif
