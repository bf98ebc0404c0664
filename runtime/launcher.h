/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * launcher.h - starting a container's first process.
 *
 * launcher_start() clones the container init with clone3 (new namespaces,
 * CLONE_INTO_CGROUP, CLONE_PIDFD), steps it through the protocol in sync.h,
 * and returns once the init is fully set up: waiting on the exec fifo
 * (LAUNCH_CREATE) or about to execve (LAUNCH_RUN). The caller's callbacks
 * run in the parent at the points where the outside world must learn about
 * the container (hooks, state file).
 *
 * The child never returns: on failure it reports over the socket and exits.
 */
#ifndef CTR_LAUNCHER_H
#define CTR_LAUNCHER_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"
#include "../cgroups/cgroup.h"

enum launch_mode {
	LAUNCH_CREATE, /* block on the exec fifo until `start` */
	LAUNCH_RUN,    /* exec at once */
};

struct launch_callbacks {
	/* Runs prestart and createRuntime hooks in the runtime's namespaces. */
	int (*runtime_hooks)(void *data, pid_t pid, struct ctr_error *err);
	/* State JSON ("creating", with pid) given to hooks run inside the
	 * container; NULL when the spec has no such hooks. malloc'd. */
	char *(*hook_state)(void *data, pid_t pid);
	/* The init is set up: record it (state file, pid file). */
	int (*ready)(void *data, pid_t pid, struct ctr_error *err);
	void *data;
};

struct launch_opts {
	const struct spec *spec;
	const char *id;
	enum launch_mode mode;
	struct cg_handle *cg;      /* NULL: cgroups disabled */
	/* cg from cg_create_begin: its limits, for cg_create_finish, which
	 * the launcher runs while the init prepares its rootfs (or before
	 * clone3 when the init cannot join its cgroups late). */
	const struct spec_resources *cg_res;
	int fifo_fd;               /* LAUNCH_CREATE: the exec fifo, opened O_RDWR */
	int console_socket;        /* connected --console-socket, or -1 */
	unsigned int preserve_fds; /* fds 3 .. 3+n-1 pass into the container */
	bool no_pivot;
	bool no_new_keyring;
	const char *seccomp_cache; /* compiled-profile cache dir, NULL: none */
	int state_dirfd;           /* the container's locked state dir: the child
				    * closes it, or it would hold the lock */
	struct launch_callbacks cb;
	/* create_opts.netns_setup: runs after SYNC_GO, while the child sets
	 * up its rootfs, and before SYNC_COMMIT releases it. */
	int (*netns_setup)(void *data, pid_t pid, struct ctr_error *err);
	void *netns_data;
	/* create_opts.root_setup: runs once the id maps are written; the
	 * detached mount it returns goes to the child with SYNC_GO and
	 * becomes its root (as spec->root_tree would). */
	int (*root_setup)(void *data, pid_t pid, struct ctr_error *err);
	void *root_data;
};

struct launch_result {
	pid_t pid;       /* host pid of the container init */
	int pidfd;       /* owned by the caller */
	int pty_master;  /* terminal without a console socket: owned by the caller; else -1 */
};

int launcher_start(const struct launch_opts *o, struct launch_result *r, struct ctr_error *err);

/* What the child learns from the clone itself. */
struct init_args {
	int sock;          /* its end of the sync socketpair */
	bool new_userns;   /* clone3 made a user namespace: maps come from the parent */
	bool new_cgroupns; /* unshare a cgroup namespace once placed */
	bool cloned_into;  /* CLONE_INTO_CGROUP placed it in the cgroup2 hierarchy */
	bool unshare_net;  /* make its network namespace itself, then SYNC_NETNS */
	bool cg_late;      /* join the v1 cgroups after its rootfs, on SYNC_CGROUP */
};

/* Child side (container_init.c): never returns. The child moves itself into
 * its v1 cgroups: a thread joining through `tasks` skips the RCU grace
 * period (~10 ms here) that a parent writing cgroup.procs pays. */
_Noreturn void container_init(const struct launch_opts *o, const struct init_args *args);

/* Helpers shared by the launcher and exec. */
int launcher_write_id_maps(pid_t pid, const struct spec_linux *l, struct ctr_error *err);
/* Child side, shared by the init and exec: a pty from the devpts in view,
 * its slave as stdio and controlling terminal (and bound over /dev/console
 * when bind_console), the master sent to the parent as SYNC_PTY. */
int launcher_child_terminal(int sock, const struct spec_process *p, bool bind_console,
			    struct ctr_error *err);
/* Child side: only fds 0-2 and 3 .. 3+preserve-1 survive execve. */
int launcher_child_fds(unsigned int preserve, struct ctr_error *err);

#endif
