/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-helper - what tests/system/images.sh needs from the store while the
 * lifecycle verbs are elsewhere: make a container on an image, mount its
 * overlay (run it under `unshare -m`), and mark a container as running in
 * a runtime store (its init: a process the test started).
 *
 *   store-helper create STORE NAME IMAGE [CONFIG_FILE]
 *   store-helper mount STORE NAME TARGET
 *   store-helper running RUN_ROOT NAME PID
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootfs/store.h"
#include "state.h"
#include "util.h"

static int create(char **argv, struct ctr_error *err)
{
	_cleanup_free_ char *config = NULL;
	struct store_container_opts o = {.image = argv[2]};
	struct store st;
	size_t len;
	int ret;

	if (argv[3] && (ret = read_file_at(AT_FDCWD, argv[3], &config, &len, err)) < 0)
		return ret;
	o.config = config;
	ret = store_open(argv[0], true, &st, err);
	if (ret == 0) {
		ret = store_container_create(&st, argv[1], &o, err);
		store_close(&st);
	}
	return ret;
}

static int mount_overlay(char **argv, struct ctr_error *err)
{
	struct store st;
	int ret = store_open(argv[0], false, &st, err);

	if (ret == 0) {
		ret = store_overlay_mount_at(&st, argv[1], argv[2], err);
		store_close(&st);
	}
	return ret;
}

static int running(char **argv, struct ctr_error *err)
{
	struct state_store ss;
	struct container_state cs = {.id = argv[1], .pid = atoi(argv[2]), .owner = ""};
	_cleanup_close_ int dirfd = -1;
	int ret = proc_start_time(cs.pid, &cs.start_time);

	if (ret < 0)
		return ctr_errnum(err, ret, "start time of %d", cs.pid);
	ret = state_store_open(argv[0], true, &ss, err);
	if (ret < 0)
		return ret;
	ret = state_create(&ss, argv[1], &dirfd, err);
	if (ret == 0)
		ret = state_save(dirfd, &cs, err);
	state_store_close(&ss);
	return ret;
}

static const struct {
	const char *name;
	int min, max;
	int (*fn)(char **argv, struct ctr_error *err);
} cmds[] = {
    {"create", 3, 4, create},
    {"mount", 3, 3, mount_overlay},
    {"running", 3, 3, running},
};

int main(int argc, char **argv)
{
	struct ctr_error err = CTR_ERROR_INIT;

	for (size_t i = 0; argc > 1 && i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(argv[1], cmds[i].name) != 0)
			continue;
		if (argc - 2 < cmds[i].min || argc - 2 > cmds[i].max)
			break;
		if (cmds[i].fn(argv + 2, &err) < 0) {
			fprintf(stderr, "store-helper %s: %s\n", argv[1], err.msg);
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "usage: store-helper create|mount|running ...\n");
	return 2;
}
