/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nettest - drives netns/ end to end the way `ctr start` does, without the
 * store, the image overlay and the monitor: the network rows of
 * tests/bench/run-bench time it, and tests/system/net.sh asks it for host
 * veth names (root only):
 *
 *   nettest run STORE RUNROOT NAME CONFIG ROOTFS [detach]
 *       parse CONFIG (a native config file), prepare the network (bridge,
 *       lease, NAT), write resolv.conf/hosts into the root,
 *       and run the container's init with net_configure as the netns hook;
 *       in the foreground its exit code is ours. Cgroups are not used.
 *   nettest delete RUNROOT NAME        kill and delete the runtime state
 *   nettest release STORE NAME         net_release (what destroy calls)
 *   nettest prune STORE                net_prune
 *   nettest vethname STORE NAME N      the host end's name of net.N
 *
 * Errors go to stderr as "nettest: MESSAGE", exit 1. With NETTEST_TIMING
 * set, run prints how long net_prepare and the netns hook took (µs).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config_native.h"
#include "lifecycle.h"
#include "netns/net.h"
#include "util.h"

static const struct spec_id_map id_range = {0, 1700000, 65536};

static int load_spec(const char *store, const char *name, const char *config, const char *rootfs,
		     struct native_config **c, struct spec **spec, struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL, *dir = xasprintf("%s/containers/%s", store, name);
	_cleanup_free_ char *origin = xasprintf("%s/config", name);
	struct native_defaults d = {.name = name,
				    .dir = dir,
				    .root_path = rootfs,
				    .uid_mappings = &id_range,
				    .n_uid_mappings = 1,
				    .gid_mappings = &id_range,
				    .n_gid_mappings = 1};
	size_t len;
	int ret;

	ret = read_file_at(AT_FDCWD, config, &text, &len, err);
	if (ret == 0)
		ret = config_native_parse(text, len, origin, c, err);
	if (ret == 0)
		ret = config_native_to_spec(*c, &d, spec, err);
	if (ret == 0 && mkdir_p(dir, 0711) < 0)
		ret = ctr_errno(err, "create %s", dir);
	return ret;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static long long hook_us;

/* net_configure, timed. */
static int timed_configure(void *data, pid_t pid, struct ctr_error *err)
{
	long long t0 = now_us();
	int ret = net_configure(data, pid, err);

	hook_us = now_us() - t0;
	return ret;
}

static int run(char **argv, int *exit_code, struct ctr_error *err)
{
	const char *store = argv[0], *run_root = argv[1], *name = argv[2];
	bool detach = argv[5] && strcmp(argv[5], "detach") == 0;
	struct native_config *c = NULL;
	struct spec *spec = NULL;
	struct net_plan *plan = NULL;
	struct ctr_runtime rt = {.cgroups_disabled = true};
	int ret;

	bool timing = getenv("NETTEST_TIMING") != NULL;
	long long t0;

	ret = load_spec(store, name, argv[3], argv[4], &c, &spec, err);
	t0 = now_us();
	if (ret == 0)
		ret = net_prepare(store, name, c, &plan, err);
	if (timing)
		fprintf(stderr, "net_prepare %lld us\n", now_us() - t0);
	if (ret == 0)
		ret = net_write_files(plan, c, c->hostname ? c->hostname : name, spec->root_path,
				      err);
	if (ret == 0)
		ret = state_store_open(run_root, true, &rt.store, err);
	if (ret == 0) {
		struct create_opts o = {
		    .id = name, .spec = spec, .netns_setup = timed_configure, .netns_data = plan};

		spec->process.terminal = false;
		t0 = now_us();
		ret = container_run(&rt, &o, detach, exit_code, err);
		if (timing)
			fprintf(stderr, "netns hook %lld us, run %lld us\n", hook_us,
				now_us() - t0);
		state_store_close(&rt.store);
	}
	net_plan_free(plan);
	spec_free(spec);
	native_config_free(c);
	return ret;
}

static int delete_container(char **argv, struct ctr_error *err)
{
	struct ctr_runtime rt = {.cgroups_disabled = true};
	int ret = state_store_open(argv[0], false, &rt.store, err);

	if (ret == 0) {
		ret = container_delete(&rt, argv[1], true, err);
		state_store_close(&rt.store);
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct ctr_error err = CTR_ERROR_INIT;
	int exit_code = 0, ret;

	if (argc >= 7 && strcmp(argv[1], "run") == 0)
		ret = run(argv + 2, &exit_code, &err);
	else if (argc == 4 && strcmp(argv[1], "delete") == 0)
		ret = delete_container(argv + 2, &err);
	else if (argc == 4 && strcmp(argv[1], "release") == 0)
		ret = net_release(argv[2], argv[3], &err);
	else if (argc == 3 && strcmp(argv[1], "prune") == 0)
		ret = net_prune(argv[2], &err);
	else if (argc == 5 && strcmp(argv[1], "vethname") == 0) {
		char name[IFNAMSIZ];

		net_host_veth_name(argv[2], argv[3], (unsigned int)atoi(argv[4]), name);
		puts(name);
		ret = 0;
	} else {
		fprintf(stderr, "usage: nettest run STORE RUNROOT NAME CONFIG ROOTFS [detach]\n"
				"       nettest delete RUNROOT NAME | release STORE NAME | "
				"prune STORE | vethname STORE NAME N\n");
		return 2;
	}
	if (ret < 0) {
		fprintf(stderr, "nettest: %s\n", err.msg);
		return 1;
	}
	return exit_code;
}
