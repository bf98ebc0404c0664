/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * criu.h - finding a CRIU that works here, and one request to it.
 *
 * criu_find() looks for criu at an explicit path (ctr-oci --criu), then
 * $CTR_CRIU, then /opt/ctr-criu/sbin/criu (tests/install-criu builds it),
 * then PATH; it needs version 4.1 or later (3.17 fails on newer kernels)
 * and a passing `criu check`. Both cost ~50 ms, so the verdict is kept in
 * a cache directory (the runtime state root) as "@criu-check", keyed by
 * the binary's path, size and mtime: a rebuilt criu is checked again.
 *
 * criu_call() runs one request through `criu swrk`: a SOCK_SEQPACKET
 * socketpair, protobuf messages (criu_pb.h), the caller's callback for
 * each notification (criu waits for our answer before going on), and the
 * final response. Only the fields ctr uses are named here.
 */
#ifndef CTR_CRIU_H
#define CTR_CRIU_H

#include <stdbool.h>
#include <sys/types.h>

#include "criu_pb.h"
#include "error.h"

#define CRIU_MIN_MAJOR 4
#define CRIU_MIN_MINOR 1
#define CRIU_DEFAULT_PATH "/opt/ctr-criu/sbin/criu"
#define CRIU_CHECK_CACHE "@criu-check"

struct criu_bin {
	char *path;
	char *version; /* "4.1.1" */
};

/* explicit: a path the user gave (NULL: none). cache_dirfd: where the
 * verdict is kept (-1: check every time). */
int criu_find(const char *explicit, int cache_dirfd, struct criu_bin *out,
	      struct ctr_error *err);
void criu_bin_free(struct criu_bin *b);

/* Can criu track which pages change (soft-dirty bits), which a pre-dump
 * needs? Asks `criu check --feature mem_dirty_track` (~20 ms). */
bool criu_can_track_memory(const struct criu_bin *b);

/* Request types and criu_opts field numbers (criu's images/rpc.proto). */
enum criu_req_type {
	CRIU_REQ_DUMP = 1,
	CRIU_REQ_RESTORE = 2,
	CRIU_REQ_PRE_DUMP = 4,
	CRIU_REQ_NOTIFY = 6,
};

enum criu_opt_field {
	CRIU_OPT_IMAGES_DIR_FD = 1,
	CRIU_OPT_PID = 2,
	CRIU_OPT_LEAVE_RUNNING = 3,
	CRIU_OPT_EXT_UNIX_SK = 4,
	CRIU_OPT_TCP_ESTABLISHED = 5,
	CRIU_OPT_SHELL_JOB = 7,
	CRIU_OPT_FILE_LOCKS = 8,
	CRIU_OPT_LOG_LEVEL = 9,
	CRIU_OPT_LOG_FILE = 10,
	CRIU_OPT_NOTIFY_SCRIPTS = 12,
	CRIU_OPT_ROOT = 13,
	CRIU_OPT_PARENT_IMG = 14,
	CRIU_OPT_TRACK_MEM = 15,
	CRIU_OPT_WORK_DIR_FD = 17,
	CRIU_OPT_EXT_MNT = 23, /* message {key = 1; val = 2} */
	CRIU_OPT_MANAGE_CGROUPS = 24,
	CRIU_OPT_CG_ROOT = 25, /* message {ctrl = 1; path = 2} */
	CRIU_OPT_RST_SIBLING = 26,
	CRIU_OPT_INHERIT_FD = 27, /* message {key = 1; fd = 2} */
	CRIU_OPT_MANAGE_CGROUPS_MODE = 34,
	CRIU_OPT_EXTERNAL = 37,
	CRIU_OPT_FREEZE_CGROUP = 44,
	CRIU_OPT_ORPHAN_PTS_MASTER = 50,
	CRIU_OPT_NETWORK_LOCK = 64,
};

/* criu_cg_mode values, by the names runc's --manage-cgroups-mode takes. */
enum criu_cg_mode {
	CRIU_CG_IGNORE = 0,
	CRIU_CG_NONE = 1,
	CRIU_CG_PROPS = 2,
	CRIU_CG_SOFT = 3,
	CRIU_CG_FULL = 4,
	CRIU_CG_STRICT = 5,
};
#define CRIU_NETWORK_LOCK_NFTABLES 2

/* A notification: criu ran up to `script` ("post-dump", "setup-namespaces",
 * "post-restore", "orphan-pts-master", ...). fd is one that came with it
 * (orphan-pts-master: the new terminal master; the callback owns it), or
 * -1. A negative return makes criu abort the request. */
typedef int (*criu_notify_fn)(void *data, const char *script, pid_t pid, int fd,
			      struct ctr_error *err);

struct criu_call {
	const struct criu_bin *bin;
	enum criu_req_type type;
	const struct pb_buf *opts; /* encoded criu_opts */
	/* fds criu inherits, as 4, 5, ... in its process (what inherit_fd
	 * entries must name): criu_call_fd(i). */
	const int *pass_fds;
	size_t n_pass_fds;
	/* Runs once criu exists, before the request: e.g. put it into the
	 * container's cgroup. May be NULL. */
	int (*spawned)(void *data, pid_t criu_pid, struct ctr_error *err);
	criu_notify_fn notify; /* may be NULL: every notification is acknowledged */
	void *data;
};

static inline int criu_call_fd(size_t i)
{
	return 4 + (int)i;
}

/* *restored_pid: the restored tree's root (restore), else 0. On failure
 * the message is criu's own (cr_errmsg), or its exit status. */
int criu_call(const struct criu_call *c, pid_t *restored_pid, struct ctr_error *err);

/* The first "Error" line of a criu log in dirfd (malloc'd), or NULL: what
 * an error message shows of why criu failed. */
char *criu_log_error(int dirfd, const char *log_name);

#endif
