/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * oci.h - the ctr-oci front end: runc's command line over libctr. Each verb
 * parses its own options and returns an exit code (>= 0) or a negative
 * errno with err filled; main() prints errors and writes the log.
 */
#ifndef CTR_OCI_H
#define CTR_OCI_H

#include <stdbool.h>

#include "error.h"
#include "lifecycle.h"

struct oci_globals {
	const char *root;
	const char *log_path;
	bool log_json;
	bool debug;
	bool systemd_cgroup;
	const char *cgroup_manager;
	const char *criu; /* --criu: NULL searches (criu.h) */
	struct ctr_runtime rt;
};

typedef int (*oci_command_fn)(struct oci_globals *g, int argc, char **argv,
			      struct ctr_error *err);

/* Open the state store (creating it for verbs that make containers). */
int oci_open_runtime(struct oci_globals *g, bool create, struct ctr_error *err);

/* Exactly one positional argument: the container id. */
int oci_one_id(int argc, char **argv, int first, const char **id, struct ctr_error *err);

int cmd_create(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_run(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_start(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_state(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_kill(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_delete(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_pause(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_resume(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_exec(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_ps(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_list(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_events(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_update(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_features(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_spec(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_checkpoint(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_restore(struct oci_globals *g, int argc, char **argv, struct ctr_error *err);

#endif
