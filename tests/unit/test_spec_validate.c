/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the format-independent checks and helpers in runtime/spec.c. */
#include <sched.h>

#include "spec_test_helpers.h"

#define USERNS_MAPS                                                                                \
	"'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}], 'gidMappings': "          \
	"[{'containerID': 0, 'hostID': 1000, 'size': 1}]"

static void cleans_paths_in_place(void **state)
{
	static const char *const cases[][2] = {
	    {"/", "/"},		{"//", "/"},	      {"/.", "/"},	  {"/a/", "/a"},
	    {"//a//b", "/a/b"}, {"/a/./b/.", "/a/b"}, {"/a/.b", "/a/.b"}, {"/a/../b", "/a/../b"},
	    {"/./././x", "/x"}, {"/a/b..", "/a/b.."},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *p = xstrdup(cases[i][0]);

		spec_clean_path(p);
		assert_string_equal(p, cases[i][1]);
		free(p);
	}
}

static void maps_namespace_names_both_ways(void **state)
{
	assert_int_equal(spec_namespace_type("network"), CLONE_NEWNET);
	assert_int_equal(spec_namespace_type("mount"), CLONE_NEWNS);
	assert_int_equal(spec_namespace_type("time"), 0x80);
	assert_int_equal(spec_namespace_type("net"), -EINVAL);
	assert_string_equal(spec_namespace_name(CLONE_NEWUSER), "user");
	assert_string_equal(spec_namespace_name(CLONE_NEWCGROUP), "cgroup");
	assert_null(spec_namespace_name(0));
}

static void requires_id_maps_when_creating_a_user_namespace(void **state)
{
	parse_fails("{" MINIMAL ", 'linux': {'namespaces': [{'type': 'user'}]}}",
		    "config.json: linux.uidMappings: required when a user namespace is created");
	parse_fails("{" MINIMAL ", 'linux': {'namespaces': [{'type': 'user'}], 'uidMappings': "
		    "[{'containerID': 0, 'hostID': 1, 'size': 1}]}}",
		    "config.json: linux.gidMappings: required when a user namespace is created");
}

static void accepts_joining_a_user_namespace_without_maps(void **state)
{
	struct spec *spec =
	    parse_ok("{" MINIMAL
		     ", 'linux': {'namespaces': [{'type': 'user', 'path': '/proc/1/ns/user'}]}}");

	spec_free(spec);
	spec =
	    parse_ok("{" MINIMAL ", 'linux': {'namespaces': [{'type': 'user'}], " USERNS_MAPS "}}");
	assert_int_equal(spec->linux.uid_mappings[0].host_id, 1000);
	spec_free(spec);
}

static void rejects_id_map_ranges_past_the_last_id(void **state)
{
	parse_fails("{" MINIMAL ", 'linux': {'namespaces': [{'type': 'user'}], 'uidMappings': "
		    "[{'containerID': 0, 'hostID': 4294901760, 'size': 65536}], 'gidMappings': "
		    "[{'containerID': 0, 'hostID': 1, 'size': 1}]}}",
		    "config.json: linux.uidMappings[0]: range ends past id 4294967294");
}

static void rejects_id_maps_without_a_user_namespace(void **state)
{
	parse_fails("{" MINIMAL ", 'linux': {" USERNS_MAPS "}}",
		    "config.json: linux.uidMappings: requires a user namespace");
}

static void hostname_requires_a_uts_namespace(void **state)
{
	struct spec *spec;

	parse_fails("{" MINIMAL ", 'hostname': 'h'}",
		    "config.json: hostname: requires a UTS namespace");
	parse_fails("{" MINIMAL ", 'domainname': 'd', 'linux': {'namespaces': [{'type': 'pid'}]}}",
		    "config.json: domainname: requires a UTS namespace");
	spec = parse_ok("{" MINIMAL ", 'hostname': 'h', 'domainname': 'd', 'linux': "
			"{'namespaces': [{'type': 'uts'}]}}");
	assert_string_equal(spec->domainname, "d");
	spec_free(spec);
	parse_fails("{" MINIMAL ", 'hostname': '"
		    "12345678901234567890123456789012345678901234567890123456789012345', 'linux': "
		    "{'namespaces': [{'type': 'uts'}]}}",
		    "config.json: hostname: longer than 64 characters");
}

static void net_sysctl_requires_a_network_namespace(void **state)
{
	struct spec *spec;

	parse_fails(
	    "{" MINIMAL ", 'linux': {'sysctl': {'net.ipv4.ip_forward': '1'}}}",
	    "config.json: linux.sysctl.net.ipv4.ip_forward: requires its own network namespace");
	spec = parse_ok("{" MINIMAL ", 'linux': {'namespaces': [{'type': 'network'}], 'sysctl': "
			"{'net/ipv4/ip_forward': '1'}}}");
	spec_free(spec);
}

static void allows_only_namespaced_kernel_sysctls(void **state)
{
	struct spec *spec = parse_ok(
	    "{" MINIMAL ", 'linux': {'namespaces': [{'type': 'ipc'}, {'type': 'uts'}], 'sysctl': "
	    "{'kernel.shmmax': '1', 'kernel.msgmnb': '1', 'kernel.sem': '1 2 3 4', "
	    "'fs.mqueue.msg_max': '10', 'kernel.hostname': 'x'}}}");

	assert_int_equal(spec->linux.n_sysctl, 5);
	spec_free(spec);
	parse_fails("{" MINIMAL ", 'linux': {'namespaces': [{'type': 'ipc'}], 'sysctl': "
		    "{'kernel.printk': '1'}}}",
		    "config.json: linux.sysctl.kernel.printk: not a namespaced sysctl; setting it "
		    "would change the host");
	parse_fails("{" MINIMAL ", 'linux': {'namespaces': [{'type': 'ipc'}], 'sysctl': "
		    "{'vm.swappiness': '1'}}}",
		    "config.json: linux.sysctl.vm.swappiness: not a namespaced sysctl; setting it "
		    "would change the host");
	parse_fails("{" MINIMAL ", 'linux': {'sysctl': {'kernel.shmmax': '1'}}}",
		    "config.json: linux.sysctl.kernel.shmmax: requires its own ipc namespace");
	parse_fails("{" MINIMAL ", 'linux': {'namespaces': [{'type': 'ipc'}], 'sysctl': "
		    "{'fs.mqueue.': '1'}}}",
		    "config.json: linux.sysctl.fs.mqueue.: not a namespaced sysctl; setting it "
		    "would change the host");
}

static void time_offsets_require_a_time_namespace(void **state)
{
	parse_fails("{" MINIMAL ", 'linux': {'timeOffsets': {'boottime': {'secs': 1}}}}",
		    "config.json: linux.timeOffsets: requires a time namespace");
}

static void masked_paths_must_be_absolute(void **state)
{
	parse_fails("{" MINIMAL ", 'linux': {'maskedPaths': ['/proc/kcore', 'proc/keys']}}",
		    "config.json: linux.maskedPaths[1]: must be an absolute path");
	parse_fails("{" MINIMAL ", 'linux': {'readonlyPaths': ['sys']}}",
		    "config.json: linux.readonlyPaths[0]: must be an absolute path");
}

static void idmap_option_and_mappings_go_together(void **state)
{
	parse_fails("{" MINIMAL ", 'mounts': [{'destination': '/a', 'source': '/x', 'options': "
		    "['rbind', 'idmap']}]}",
		    "config.json: mounts[0].uidMappings: required by option idmap");
	parse_fails("{" MINIMAL ", 'mounts': [{'destination': '/a', 'source': '/x', 'options': "
		    "['rbind'], 'uidMappings': [{'containerID': 0, 'hostID': 1, 'size': 1}]}]}",
		    "config.json: mounts[0].uidMappings: only allowed with option idmap");
	parse_fails("{" MINIMAL ", 'mounts': [{'destination': '/a', 'type': 'tmpfs', 'options': "
		    "['idmap'], 'uidMappings': [{'containerID': 0, 'hostID': 1, 'size': 1}]}]}",
		    "config.json: mounts[0].options: idmap is only supported on bind mounts");
}

/* The native config reader builds specs by hand; the same checks apply. */
static struct spec *hand_built_spec(void)
{
	struct spec *spec = spec_new();

	spec->root_path = xstrdup("/var/lib/ctr/c/rootfs");
	spec->has_process = true;
	strv_append(&spec->process.args, "/sbin/init");
	spec->process.cwd = xstrdup("/");
	return spec;
}

static void validates_hand_built_specs(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct spec *spec = hand_built_spec();

	assert_int_equal(spec_validate(spec, &err), 0);
	spec->n_mounts = 1;
	spec->mounts = xcalloc(1, sizeof(*spec->mounts));
	spec->mounts[0].destination = xstrdup("/a//b");
	spec->mounts[0].type = xstrdup("tmpfs");
	assert_int_equal(spec_validate(spec, &err), -EINVAL);
	assert_string_equal(err.msg, "mounts[0].destination: must be a clean path (no '//', "
				     "'/./' or trailing '/')");
	spec_free(spec);
}

static void validates_hand_built_process(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct spec *spec = hand_built_spec();

	free(spec->process.cwd);
	spec->process.cwd = xstrdup("root");
	assert_int_equal(spec_validate(spec, &err), -EINVAL);
	assert_string_equal(err.msg, "process.cwd: must be an absolute path");
	spec_free(spec);

	spec = hand_built_spec();
	spec->process.n_rlimits = 1;
	spec->process.rlimits = xcalloc(1, sizeof(struct spec_rlimit));
	spec->process.rlimits[0].soft = 2;
	spec->process.rlimits[0].hard = 1;
	assert_int_equal(spec_validate(spec, &err), -EINVAL);
	assert_string_equal(err.msg, "process.rlimits[0]: soft limit exceeds hard limit");
	spec_free(spec);
}

static void validates_hand_built_hooks(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct spec *spec = hand_built_spec();
	struct spec_hook_list *l = &spec->hooks[SPEC_HOOK_CREATE_RUNTIME];

	l->n = 1;
	l->hooks = xcalloc(1, sizeof(struct spec_hook));
	l->hooks[0].path = xstrdup("hook");
	assert_int_equal(spec_validate(spec, &err), -EINVAL);
	assert_string_equal(err.msg, "hooks.createRuntime[0].path: must be an absolute path");
	spec_free(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cleans_paths_in_place),
	    cmocka_unit_test(maps_namespace_names_both_ways),
	    cmocka_unit_test(requires_id_maps_when_creating_a_user_namespace),
	    cmocka_unit_test(accepts_joining_a_user_namespace_without_maps),
	    cmocka_unit_test(rejects_id_map_ranges_past_the_last_id),
	    cmocka_unit_test(rejects_id_maps_without_a_user_namespace),
	    cmocka_unit_test(hostname_requires_a_uts_namespace),
	    cmocka_unit_test(net_sysctl_requires_a_network_namespace),
	    cmocka_unit_test(allows_only_namespaced_kernel_sysctls),
	    cmocka_unit_test(time_offsets_require_a_time_namespace),
	    cmocka_unit_test(masked_paths_must_be_absolute),
	    cmocka_unit_test(idmap_option_and_mappings_go_together),
	    cmocka_unit_test(validates_hand_built_specs),
	    cmocka_unit_test(validates_hand_built_process),
	    cmocka_unit_test(validates_hand_built_hooks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
