/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * checkpoint.h - checkpoint and restore of a container with CRIU (criu.h),
 * for both front ends: `ctr-oci checkpoint/restore` (runc's flags) and
 * `ctr checkpoint/restore/migrate`.
 *
 * Checkpoint dumps the container's whole process tree with its namespaces
 * into an image directory; bind mounts from the host are recorded as
 * external (by destination), the terminal as an orphan pty, the init's
 * stdio pipes by name (descriptors.json). Unless it leaves the container
 * running (or pre-dumps), the container is then gone: its state and
 * cgroup are removed, as `delete` would.
 *
 * Restore makes a new container (any id) from a spec, as create does
 * (state dir, cgroup with the spec's limits), and has CRIU bring the tree
 * back into that cgroup, with the external mounts taken from the spec's
 * sources, stdio pipes from the caller's fds 0-2 and the new terminal
 * master sent to the console socket. The restored init is a child of the
 * caller; the container's state records its new host pid. A failed
 * restore leaves nothing behind.
 */
#ifndef CTR_CHECKPOINT_H
#define CTR_CHECKPOINT_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "lifecycle.h"

/* What both directions share. */
struct criu_common_opts {
	const char *image_dir;  /* created by checkpoint (0700), read by restore */
	const char *work_dir;   /* logs (dump.log, restore.log); NULL: image_dir */
	const char *criu_path;  /* NULL: criu_find's search */
	bool tcp_established;   /* dump/restore open TCP connections */
	bool ext_unix_sk;       /* unix sockets with a peer outside the container */
	bool shell_job;         /* a session/tty shared with the outside */
	bool file_locks;
	int manage_cgroups_mode; /* enum criu_cg_mode, or -1 for criu's default (soft) */
	/* More of criu's --external ("veth[eth0]:ctrv1234@ctrbr0"), NULL-
	 * terminated; may be NULL. */
	const char *const *external;
	/* Called at each step criu reports ("pre-dump", "post-dump",
	 * "network-lock", "network-unlock", "setup-namespaces",
	 * "post-restore", "pre-resume", "post-resume"; pid: the tree's root
	 * where criu gives one), for user hooks and network handling; a
	 * negative return aborts the checkpoint or restore. May be NULL. */
	int (*notify)(void *data, const char *step, pid_t pid, struct ctr_error *err);
	void *notify_data;
};

struct checkpoint_opts {
	const char *id;
	struct criu_common_opts c;
	bool leave_running;
	bool pre_dump;           /* memory only; the container keeps running */
	const char *parent_dir;  /* a previous pre-dump, relative to image_dir */
	/* The state is left for the init's parent to remove once it has
	 * reaped the init (ctr's monitor), instead of deleted here. */
	bool keep_state;
};

int container_checkpoint(struct ctr_runtime *rt, const struct checkpoint_opts *o,
			 struct ctr_error *err);

struct restore_opts {
	struct create_opts create; /* id, spec, config, pid_file, console_socket */
	struct criu_common_opts c;
	bool detach;
	/* Set (ctr's monitor): the restored terminal's master comes back
	 * here, owned by the caller, instead of going to a console socket. */
	int *console_master;
};

/* detach: return once the container runs. Otherwise wait for its init,
 * forwarding signals, then delete it; *exit_code gets its status. */
int container_restore(struct ctr_runtime *rt, const struct restore_opts *o, int *exit_code,
		      struct ctr_error *err);

/* "none|props|soft|full|strict|ignore" -> enum criu_cg_mode; -EINVAL. */
int criu_cg_mode_parse(const char *name);

#endif
