/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_store.h - the verbs over the persistent store (images, clone,
 * snapshots) and the template list; main.c's verb table points here.
 */
#ifndef CTR_CLI_CMD_STORE_H
#define CTR_CLI_CMD_STORE_H

#include "cli.h"

int cmd_image(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_clone(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_snapshot(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);
int cmd_template(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err);

#endif
