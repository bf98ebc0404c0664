/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.h - the runtime state store: /run/ctr-oci (or --root) for ctr-oci,
 * /run/ctr for ctr. One directory per container (0700), holding:
 *   state.json   written by rename, never partially visible
 *   config.json  the config the container was created from (exec reads it)
 *   exec.fifo    while the container is created and not yet started
 * The directory itself is the lock (flock on its fd).
 *
 * State is derived, not trusted: a container's process is alive only if the
 * pid exists and its start time matches the one recorded, so a reused pid is
 * never mistaken for the container.
 */
#ifndef CTR_STATE_H
#define CTR_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

struct state_store {
	int dirfd;
	char *root;
};

struct container_state {
	char *id;
	pid_t pid;           /* host pid of the container's init; 0 if never started */
	uint64_t start_time; /* /proc/PID/stat starttime of that pid */
	char *bundle;
	char *rootfs;
	char *cgroup_path; /* absolute cgroup path, NULL if cgroups were disabled */
	char *created;     /* RFC 3339 */
	char *owner;       /* "" for root */
	bool terminal;
	bool systemd_cgroup;
	struct spec_kv *annotations;
	size_t n_annotations;
};

/* Open (creating with 0700 if create is set) the store root. */
int state_store_open(const char *root, bool create, struct state_store *st,
		     struct ctr_error *err);
void state_store_close(struct state_store *st);

/* ids: non-empty, at most 1024 bytes, only [A-Za-z0-9_.+-], not "." or
 * "..". Message: "invalid container id 'a/b': must not contain '/'". */
int state_validate_id(const char *id, struct ctr_error *err);

/* Make the container directory (fails with "container 'x' already exists")
 * and return its fd, locked exclusively. */
int state_create(struct state_store *st, const char *id, int *dirfd, struct ctr_error *err);

/* Open an existing container's directory: -ENOENT with runc's wording
 * "container does not exist" when missing. Not locked. */
int state_open(struct state_store *st, const char *id, int *dirfd, struct ctr_error *err);

/* flock the container directory (exclusive or shared); blocks. */
int state_lock(int dirfd, bool exclusive, struct ctr_error *err);

int state_save(int dirfd, const struct container_state *cs, struct ctr_error *err);
/* -ENOENT if the state file was never written (killed mid-create). */
int state_load(int dirfd, struct container_state *cs, struct ctr_error *err);
void container_state_free(struct container_state *cs);

/* Remove the container directory and everything in it. Missing is success. */
int state_remove(struct state_store *st, const char *id, struct ctr_error *err);

/* Sorted list of container ids in the store (NULL-terminated). */
int state_list(struct state_store *st, char ***ids, struct ctr_error *err);

/* The runtime-spec state object as JSON text (malloc'd), for `state`
 * output and for hooks' stdin: ociVersion, id, status, pid, bundle, rootfs,
 * created, owner, annotations. status is "creating|created|running|paused|
 * stopped"; pid is omitted when 0. */
char *state_to_oci_json(const struct container_state *cs, const char *status);

/* True if cs->pid is alive and still the same process (start time). */
bool state_process_alive(const struct container_state *cs);

#endif
