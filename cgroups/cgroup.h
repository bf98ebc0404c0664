/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup.h - the one interface to control groups. The rest of ctr never
 * touches cgroupfs paths itself.
 *
 * Two drivers sit behind it, chosen by probing the host once per process:
 *  - v2: a unified hierarchy at /sys/fs/cgroup (primary);
 *  - v1: per-controller hierarchies (hybrid or legacy hosts). On a hybrid
 *    host the container also gets a directory in the cgroup2 hierarchy (for
 *    CLONE_INTO_CGROUP, freeze and kill, which work there) and in the v1
 *    hierarchies it needs (cgroup.c: optional_here); on a legacy host, in
 *    every mounted v1 hierarchy.
 *
 * A container cgroup is named by an absolute path relative to the root of
 * each hierarchy (e.g. "/ctr-oci/web"), never below the caller's own cgroup.
 * Directories that cg_create makes are remembered so cg_destroy removes
 * exactly those (and sub-cgroups a container made), never a parent that
 * existed before.
 */
#ifndef CTR_CGROUP_H
#define CTR_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

enum cg_driver_kind { CG_DRIVER_V2, CG_DRIVER_V1 };

struct cg_handle; /* opaque */

/* What the host offers, probed once: driver kind, the cgroup2 mount (may be
 * NULL on a pure v1 host), and controllers available. */
enum cg_driver_kind cg_driver_kind(void);

/* Create (or adopt, if it exists and is empty) the cgroup at path in every
 * hierarchy the container needs, and apply res (may be NULL). Validation of res against what the
 * host supports happens before any directory is made: a limit the host
 * cannot enforce is an error naming the limit, never silently dropped. */
int cg_create(const char *path, const struct spec_resources *res, struct cg_handle **out,
	      struct ctr_error *err);

/* cg_create in two halves, so that on a hybrid host the v1 directories are
 * made while the init sets itself up: cg_create_begin validates res, makes
 * the cgroup2 directory (all clone3's CLONE_INTO_CGROUP needs) and picks the
 * v1 hierarchies; cg_create_finish makes those and applies res (the same
 * res). A child cloned in between calls cg_attach(h, 0, ...) only after the
 * parent's cg_create_finish returned. Where there is nothing to defer
 * (pure v2, pure v1), begin does it all and finish does nothing. */
int cg_create_begin(const char *path, const struct spec_resources *res, struct cg_handle **out,
		    struct ctr_error *err);
int cg_create_finish(struct cg_handle *h, const struct spec_resources *res, struct ctr_error *err);
/* cg_create_finish has work left: the launcher may overlap it. */
bool cg_create_pending(const struct cg_handle *h);

/* Give a handle from cg_create a directory in every hierarchy, also those
 * cg_create left out as the container does not need them (cgroup.c). For
 * restore: criu maps a checkpoint's cgroups onto the container's in every
 * hierarchy, and would make a missing one itself without seeding it. */
int cg_complete(struct cg_handle *h, struct ctr_error *err);

/* Open an existing container cgroup (pause, kill, ps, delete, exec). */
int cg_open(const char *path, struct cg_handle **out, struct ctr_error *err);

void cg_free(struct cg_handle *h);

const char *cg_path(const struct cg_handle *h);

/* An O_DIRECTORY fd on the cgroup2 directory for clone3's CLONE_INTO_CGROUP,
 * or -1 when there is none. Owned by the handle. */
int cg_clone_fd(const struct cg_handle *h);

/* Put pid into the cgroup in every hierarchy that CLONE_INTO_CGROUP did not
 * cover (all v1 hierarchies; on v2 nothing, unless cloned_into is false).
 * pid 0 means the calling thread, which must be the only thread of its
 * process (a freshly cloned child before exec): it moves itself through v1's
 * "tasks" files, which avoids the RCU grace period a cgroup.procs write
 * costs per hierarchy (~0.1 ms instead of ~7-15 ms on a hybrid host). */
int cg_attach(struct cg_handle *h, pid_t pid, bool cloned_into, struct ctr_error *err);

/* Hand the cgroup2 directory to uid:gid, the container's root on the host,
 * as the kernel's delegation model wants it: the directory and its
 * cgroup.procs, cgroup.threads and cgroup.subtree_control, so an init in a
 * user namespace (systemd) can build its own tree below. Limits stay the
 * runtime's. Nothing to do without a cgroup2 hierarchy. */
int cg_delegate(struct cg_handle *h, uid_t uid, gid_t gid, struct ctr_error *err);
/* cg_delegate, and every cgroup below it with all its files (a restore:
 * criu remakes the container's own cgroups as host root). */
int cg_delegate_subtree(struct cg_handle *h, uid_t uid, gid_t gid, struct ctr_error *err);

/* An O_DIRECTORY fd on the cgroup2 directory that pid is in, provided it
 * is the container's cgroup or below it; -ENOENT otherwise or without
 * cgroup2. For exec on a cgroup v2 host once an init (systemd) has enabled
 * controllers for sub-cgroups of the container's cgroup, which then takes
 * no process (EBUSY): the new process joins the init's cgroup instead. */
int cg_open_member_dir(const struct cg_handle *h, pid_t pid, struct ctr_error *err);

/* Apply (again) a set of limits on a live cgroup: `update`. */
int cg_update(struct cg_handle *h, const struct spec_resources *res, struct ctr_error *err);

int cg_freeze(struct cg_handle *h, bool frozen, struct ctr_error *err);
int cg_is_frozen(struct cg_handle *h, bool *frozen, struct ctr_error *err);

/* Send sig to every process in the cgroup and its sub-cgroups (cgroup.kill
 * for SIGKILL where the kernel has it; a thawed, repeated walk otherwise). */
int cg_kill(struct cg_handle *h, int sig, struct ctr_error *err);

/* Host pids of every process in the cgroup and below (malloc'd array). */
int cg_pids(struct cg_handle *h, pid_t **pids, size_t *n, struct ctr_error *err);

/* Usage counters of a container cgroup, read by `events`. Fields a host
 * does not offer stay 0; "unlimited" limits are UINT64_MAX. */
struct cg_stat_kv {
	char *key;
	uint64_t value;
};
struct cg_io_dev {
	uint32_t major, minor;
	uint64_t read_bytes, write_bytes, read_ios, write_ios;
};
struct cg_stats {
	struct {
		uint64_t usage, max_usage, limit, failcnt; /* max_usage: v1, or v2 memory.peak */
		uint64_t swap_usage, swap_limit;	   /* v1: memory+swap, as runc reports */
		uint64_t cache, rss;			   /* v2: file, anon */
		struct cg_stat_kv *raw;			   /* memory.stat as is */
		size_t n_raw;
	} memory;
	struct {
		uint64_t total, user, system; /* ns */
		uint64_t *percpu;	      /* ns per cpu (v1 cpuacct only) */
		size_t n_percpu;
		uint64_t periods, throttled_periods, throttled_time; /* time in ns */
	} cpu;
	struct {
		uint64_t current, limit; /* limit 0: unlimited */
	} pids;
	struct {
		struct cg_io_dev *devs;
		size_t n;
	} io;
};

/* Fill *out (zeroed first; free with cg_stats_free) from every hierarchy
 * the handle has. A controller the host lacks leaves its part at 0. */
int cg_stats(struct cg_handle *h, struct cg_stats *out, struct ctr_error *err);
void cg_stats_free(struct cg_stats *s);

/* How many times the kernel's OOM killer killed a process of this cgroup
 * (v2 memory.events oom_kill; v1 memory.oom_control oom_kill). -ENOTSUP
 * when no hierarchy counts it. */
int cg_oom_count(struct cg_handle *h, uint64_t *n, struct ctr_error *err);

/* A non-blocking fd that polls readable when an OOM may have happened in
 * the cgroup (v2: inotify on memory.events; v1: an eventfd registered for
 * memory.oom_control). Drain it with one read of 4096 bytes, then ask
 * cg_oom_count: v1 signals when the OOM starts, the kill may count a moment
 * later. The caller closes it. -ENOTSUP without a memory hierarchy. */
int cg_oom_event_fd(struct cg_handle *h, struct ctr_error *err);

/* Remove the cgroup (and sub-cgroups) everywhere it was made: waits briefly
 * on EBUSY for exiting tasks; kills nothing (callers kill first). A cgroup
 * that is already gone is success. */
int cg_destroy(struct cg_handle *h, struct ctr_error *err);

/* The controllers enabled below the container's cgroup2 directory and
 * below each of its sub-cgroups (what systemd inside turned on), as text:
 * a line "PATH<tab>CONTROLLERS" per directory that enables any, PATH
 * relative to the container's ("." for itself), parents first. And the
 * same turned on again in a new tree, for restore: criu makes the
 * sub-cgroups and reopens files such as memory.events in them before it
 * gets to restoring cgroup properties. No cgroup2 directory, or nothing
 * enabled: *out NULL, nothing to do. */
int cg_subtree_control(const struct cg_handle *h, char **out, struct ctr_error *err);
int cg_enable_subtree(const struct cg_handle *h, const char *text, struct ctr_error *err);

/* cg_destroy by path, for a container whose processes are gone (its init
 * exited): the directories are removed without being opened first. */
int cg_remove(const char *path, struct ctr_error *err);

/* How /sys/fs/cgroup should look inside the container, for rootfs/: one
 * entry per hierarchy. On v2: a single cgroup2 entry. On v1: one entry per
 * mounted controller hierarchy (name as under /sys/fs/cgroup, e.g. "memory",
 * "cpu,cpuacct", "systemd", "unified"), with the host directory of the
 * container's cgroup in it, to be bind-mounted under a tmpfs. */
struct cg_mount_entry {
	char *name;	 /* directory name under /sys/fs/cgroup ("" for v2: the mount itself) */
	char *host_path; /* host directory of this container's cgroup in that hierarchy */
	bool v2;
};
int cg_mount_layout(const struct cg_handle *h, struct cg_mount_entry **entries, size_t *n,
		    struct ctr_error *err);
void cg_mount_layout_free(struct cg_mount_entry *entries, size_t n);

/* The default cgroup path for a container when the spec gives none, and the
 * conversion of a spec's cgroupsPath (absolute, relative, or systemd
 * "slice:prefix:name" form) into an absolute path. */
char *cg_resolve_path(const char *spec_path, const char *default_parent, const char *id);

#endif
