/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lifecycle.h - container lifecycle over the state store: the verbs both
 * front ends share (runc's semantics). Every verb takes the container's
 * lock; status is derived from the init's pid + start time, the exec fifo
 * and the freezer, never trusted from the state file.
 *
 * A create that fails, or a runtime killed mid-create, leaves a state
 * directory that `delete --force` (or the next create of the same id after
 * it) fully cleans: the cgroup path is recorded before the cgroup is made.
 */
#ifndef CTR_LIFECYCLE_H
#define CTR_LIFECYCLE_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"
#include "state.h"

struct ctr_runtime;

/* Turns the config text a container was created with (create_opts'
 * config_json, kept in its state directory) back into its spec, for exec
 * and hooks. NULL: the text is config.json. ctr keeps its native config. */
typedef int (*container_config_parser)(struct ctr_runtime *rt, const char *id, const char *text,
				       size_t len, const char *bundle, struct spec **spec,
				       struct ctr_error *err);

struct ctr_runtime {
	struct state_store store;
	const char *cgroup_parent; /* default parent of container cgroups, e.g. "/ctr-oci" */
	bool cgroups_disabled;     /* --cgroup-manager disabled */
	container_config_parser parse_config;
	void *parse_data; /* for parse_config */
};

enum container_status {
	STATUS_CREATING, /* state directory without a recorded init */
	STATUS_CREATED,
	STATUS_RUNNING,
	STATUS_PAUSED,
	STATUS_STOPPED,
};

const char *container_status_name(enum container_status s);

struct create_opts {
	const char *id;
	struct spec *spec; /* loaded and validated by the front end */
	const char *config_json; /* the raw config text, kept for exec */
	size_t config_len;
	const char *pid_file;       /* NULL: none */
	const char *console_socket; /* NULL: none */
	unsigned int preserve_fds;
	bool no_pivot;
	bool no_new_keyring;
	/* Runs in the parent once the init is cloned, before it is released,
	 * e.g. `ctr` configuring the new network namespace of pid. NULL: none. */
	int (*netns_setup)(void *data, pid_t pid, struct ctr_error *err);
	void *netns_data;
	/* Runs in the parent once the init is cloned and its user namespace
	 * has its maps, before it is released: returns the init's root as a
	 * detached mount (an fd the launcher closes), e.g. `ctr` idmapping
	 * the image's layers with the init's own user namespace. NULL: none. */
	int (*root_setup)(void *data, pid_t pid, struct ctr_error *err);
	void *root_data;
};

int container_create(struct ctr_runtime *rt, const struct create_opts *o, struct ctr_error *err);
int container_start(struct ctr_runtime *rt, const char *id, struct ctr_error *err);

/* run: create and start at once. detach: return once started. Otherwise
 * wait for the init, forwarding signals to it, then delete the container;
 * *exit_code gets its exit status (128 + signal when killed). */
int container_run(struct ctr_runtime *rt, const struct create_opts *o, bool detach,
		  int *exit_code, struct ctr_error *err);

/* run for a supervisor that stays the init's parent (ctr's monitor):
 * create and start at once, hand back the init's pidfd and, when the spec
 * asks for a terminal and no console socket is given, the pty master (else
 * -1). Both owned by the caller, who waits and then deletes. */
int container_launch(struct ctr_runtime *rt, const struct create_opts *o, int *pidfd,
		     int *pty_master, struct ctr_error *err);

int container_kill(struct ctr_runtime *rt, const char *id, int sig, bool all,
		   struct ctr_error *err);
/* force: kill a running container first; a missing id is then success. */
int container_delete(struct ctr_runtime *rt, const char *id, bool force, struct ctr_error *err);
int container_pause(struct ctr_runtime *rt, const char *id, struct ctr_error *err);
int container_resume(struct ctr_runtime *rt, const char *id, struct ctr_error *err);

/* The runtime-spec state JSON of one container (malloc'd). */
int container_state_json(struct ctr_runtime *rt, const char *id, char **json,
			 struct ctr_error *err);

/* Loaded state plus derived status, for list and ps. */
struct container_info {
	struct container_state state;
	enum container_status status;
};
int container_info_get(struct ctr_runtime *rt, const char *id, struct container_info *info,
		       struct ctr_error *err);
void container_info_free(struct container_info *info);

struct exec_opts {
	const char *id;
	const struct spec_process *process; /* complete: the front end merged defaults */
	bool detach;
	const char *pid_file;
	const char *console_socket;
	unsigned int preserve_fds;
	/* Without a terminal: a session of its own inside the container
	 * (ctr's exec), so that what it leaves running there can be
	 * checkpointed; the caller forwards signals instead. */
	bool new_session;
};

/* Run another process in a running container: its namespaces, cgroup,
 * seccomp profile; user, caps, env and cwd from o->process. Without
 * detach, waits and sets *exit_code. */
int container_exec(struct ctr_runtime *rt, const struct exec_opts *o, int *exit_code,
		   struct ctr_error *err);

/* The config a container was created from, for front ends building an
 * exec process on top of the container's own. */
int container_config(struct ctr_runtime *rt, const char *id, struct spec **spec,
		     struct ctr_error *err);

/* Host pids of every process of the container. */
int container_pids(struct ctr_runtime *rt, const char *id, pid_t **pids, size_t *n,
		   struct ctr_error *err);

#endif
