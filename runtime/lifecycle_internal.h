/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lifecycle_internal.h - what the lifecycle files (lifecycle.c, control.c,
 * query.c, run.c, exec.c) share; not for the front ends. */
#ifndef CTR_LIFECYCLE_INTERNAL_H
#define CTR_LIFECYCLE_INTERNAL_H

#include "launcher.h"
#include "lifecycle.h"
#include "util.h"

#define EXEC_FIFO   "exec.fifo"
#define CONFIG_COPY "config.json"
/* Compiled seccomp filters, under the store root; '@' keeps it out of the
 * container listing (it is not valid in an id). */
#define SECCOMP_CACHE "@seccomp-cache"

#define _cleanup_state_ _cleanup_(container_state_free)

/* Validate id, open and lock its directory, load its state. A directory
 * whose state was never written loads as an empty state (pid 0). */
int lc_open_locked(struct ctr_runtime *rt, const char *id, bool exclusive,
		   struct container_state *cs, int *dirfd, struct ctr_error *err);
enum container_status lc_derive_status(struct ctr_runtime *rt, int dirfd,
				       const struct container_state *cs);
/* lc_open_locked, then the derived status in *st. */
int lc_open_status(struct ctr_runtime *rt, const char *id, bool exclusive,
		   struct container_state *cs, int *dirfd, enum container_status *st,
		   struct ctr_error *err);

/* A container whose init exists: it can be signalled, watched, updated. */
static inline bool lc_is_live(enum container_status st)
{
	return st == STATUS_CREATED || st == STATUS_RUNNING || st == STATUS_PAUSED;
}
char *lc_state_json(const struct container_state *cs, enum container_status st);
int lc_write_pid_file(const char *path, pid_t pid, struct ctr_error *err);
/* The config the container was created from (kept in its state dir). */
int lc_load_config(struct ctr_runtime *rt, int dirfd, const struct container_state *cs,
		   struct spec **spec, struct ctr_error *err);
/* The pieces of create that restore (checkpoint.c) shares: the first
 * state of a container, its cgroup with the spec's limits, and removing
 * both again. */
void lc_fill_initial_state(struct ctr_runtime *rt, const struct create_opts *o,
			   struct container_state *cs);
int lc_create_cgroup(const struct spec *spec, const char *path, struct cg_handle **cg,
		     struct ctr_error *err);
void lc_undo_create(struct ctr_runtime *rt, const char *id, struct cg_handle *cg);
/* With a user and a cgroup namespace of its own, the container's root
 * owns its cgroup (systemd inside must be able to manage it). */
/* The host ids root of the container maps to, when it has a user
 * namespace of its own; false otherwise. */
bool lc_container_root(const struct spec *spec, uid_t *uid, gid_t *gid);
int lc_delegate_cgroup(const struct spec *spec, struct cg_handle *cg, struct ctr_error *err);
int lc_create(struct ctr_runtime *rt, const struct create_opts *o, enum launch_mode mode,
	      struct launch_result *res, struct ctr_error *err);
/* Run poststart/poststop hooks from the container's kept config; a failure
 * is logged as a warning. */
void lc_run_hooks_warn(struct ctr_runtime *rt, int dirfd, const struct container_state *cs, enum spec_hook_kind kind,
		       enum container_status st);
/* Wait for a process via its pidfd, forwarding the usual signals to it;
 * returns its exit code (128 + signal when killed). */
int lc_wait_forwarding(pid_t pid, int pidfd, int pty_master, struct ctr_error *err);
/* Open a pidfd for the container's init, checking it is still the same
 * process; -ESRCH when it is gone. */
int lc_open_init_pidfd(const struct container_state *cs, struct ctr_error *err);

#endif
