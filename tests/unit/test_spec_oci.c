/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the OCI config.json reader (runtime/spec_oci*.c). */
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "spec_test_helpers.h"

#include "caps.h"

#define SAMPLES "/work/shared/e2e/samples"

/* Parse a sample file, or skip the test saying why. */
static struct spec *load_sample(const char *name)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *path = xasprintf("%s/%s", SAMPLES, name);
	_cleanup_free_ char *json = NULL;
	struct spec *spec = NULL;
	size_t len;

	if (access(path, R_OK) < 0) {
		print_message("skipped: %s not readable\n", path);
		skip();
	}
	assert_int_equal(read_file_at(AT_FDCWD, path, &json, &len, &err), 0);
	if (spec_oci_parse(json, len, "config.json", "/bundle", &spec, &err) < 0)
		fail_msg("%s: %s", name, err.msg);
	return spec;
}

static const struct spec_mount *find_mount(const struct spec *spec, const char *dst)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (strcmp(spec->mounts[i].destination, dst) == 0)
			return &spec->mounts[i];
	fail_msg("no mount at %s", dst);
	return NULL;
}

static void loads_containerd_sample_config(void **state)
{
	struct spec *spec = load_sample("containerd-config.json");
	const struct spec_mount *shm;
	const struct spec_resources *r = &spec->linux.resources;

	assert_string_equal(spec->oci_version, "1.0.2-dev");
	assert_string_equal(spec->root_path, "/bundle/rootfs");
	assert_string_equal(spec->bundle, "/bundle");
	assert_true(spec->has_process);
	assert_string_equal(spec->process.args[0], "/bin/true");
	assert_null(spec->process.args[1]);
	assert_int_equal(spec->process.user.n_additional_gids, 1);
	assert_true(spec->process.has_caps);
	assert_int_equal(spec->process.caps.bounding, cap_oci_default_mask());
	assert_int_equal(spec->process.caps.inheritable, 0);
	assert_int_equal(spec->process.n_rlimits, 1);
	assert_int_equal(spec->process.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(spec->process.rlimits[0].hard, 1024);
	assert_true(spec->process.no_new_privileges);
	assert_int_equal(spec->n_mounts, 7);
	shm = find_mount(spec, "/dev/shm");
	assert_string_equal(shm->type, "tmpfs");
	assert_int_equal(shm->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV);
	assert_string_equal(shm->data, "mode=1777,size=65536k");
	assert_int_equal(spec->linux.n_namespaces, 5);
	assert_non_null(spec_find_namespace(spec, CLONE_NEWNET));
	assert_null(spec_find_namespace(spec, CLONE_NEWUSER));
	assert_string_equal(spec->linux.cgroups_path, "/default/s1");
	assert_true(spec->linux.has_resources);
	assert_int_equal(r->n_devices, 10);
	assert_false(r->devices[0].allow);
	assert_int_equal(r->devices[0].type, 'a');
	assert_int_equal(r->devices[0].major, -1);
	assert_string_equal(r->devices[0].access, "rwm");
	assert_int_equal(r->devices[8].major, 136);
	assert_int_equal(r->devices[8].minor, -1);
	assert_true(r->has_cpu_shares);
	assert_int_equal(r->cpu_shares, 1024);
	assert_int_equal(strv_len(spec->linux.masked_paths), 10);
	assert_null(spec->linux.seccomp);
	spec_free(spec);
}

static void loads_podman_sample_config(void **state)
{
	struct spec *spec = load_sample("podman-config.json");
	const struct spec_mount *hosts, *cgroup;

	assert_string_equal(spec->hostname, "24014bf006cf");
	assert_true(spec->process.user.has_umask);
	assert_int_equal(spec->process.user.umask, 022);
	assert_int_equal(spec->process.n_rlimits, 2);
	assert_int_equal(spec->process.rlimits[1].resource, RLIMIT_NPROC);
	assert_int_equal(spec->process.rlimits[1].soft, 32768);
	assert_false(spec->process.no_new_privileges);
	hosts = find_mount(spec, "/etc/hosts");
	assert_string_equal(hosts->type, "bind");
	assert_true(hosts->bind);
	assert_int_equal(hosts->flags, MS_BIND);
	assert_int_equal(hosts->propagation, MS_PRIVATE | MS_REC);
	cgroup = find_mount(spec, "/sys/fs/cgroup");
	assert_int_equal(cgroup->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);
	assert_string_equal(spec_annotation(spec, "io.container.manager"), "libpod");
	assert_null(spec_annotation(spec, "no.such.annotation"));
	assert_true(spec->linux.resources.has_pids_limit);
	assert_int_equal(spec->linux.resources.pids_limit, 2048);
	assert_non_null(spec->linux.seccomp);
	assert_int_equal(spec->linux.seccomp->n_archs, 3);
	assert_int_equal(spec->linux.seccomp->n_rules, 19);
	assert_int_equal(strv_len(spec->linux.readonly_paths), 6);
	spec_free(spec);
}

static void parses_exec_process_samples(void **state)
{
	static const char *const files[] = {"containerd-exec-process.json",
					    "podman-exec-process.json"};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		struct ctr_error err = CTR_ERROR_INIT;
		_cleanup_free_ char *path = xasprintf("%s/%s", SAMPLES, files[i]);
		_cleanup_free_ char *json = NULL;
		struct spec_process p;
		size_t len;

		if (access(path, R_OK) < 0) {
			print_message("skipped: %s not readable\n", path);
			skip();
		}
		assert_int_equal(read_file_at(AT_FDCWD, path, &json, &len, &err), 0);
		if (spec_oci_parse_process(json, len, "process.json", &p, &err) < 0)
			fail_msg("%s: %s", files[i], err.msg);
		assert_string_equal(p.args[0], "true");
		assert_string_equal(p.cwd, "/");
		assert_int_equal(p.caps.effective, cap_oci_default_mask());
		spec_process_free(&p);
	}
}

static void exec_process_errors_name_the_field_without_prefix(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct spec_process p;
	const char *json = "{\"args\": [], \"cwd\": \"/\"}";

	assert_int_equal(spec_oci_parse_process(json, strlen(json), "process.json", &p, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "process.json: args: must not be empty");
	assert_null(p.args);
}

static void syntax_error_reports_line_and_column(void **state)
{
	parse_fails("{'ociVersion': '1.0.2',\n  'root': {'path' 'rootfs'}}",
		    "config.json:2:19: expected ':'");
	parse_fails("{'ociVersion': '1.0.2',\n  'root': {'path': 'r'} x}",
		    "config.json:2:25: expected ',' or '}'");
	parse_fails("{\n'a': [1 2]}", "config.json:2:9: expected ',' or ']'");
}

static void syntax_error_at_end_of_input_points_past_the_last_character(void **state)
{
	parse_fails("{'ociVersion': '1.0.2',\n  'root': {",
		    "config.json:2:12: unexpected end of input");
	parse_fails("", "config.json:1:1: empty document");
}

static void names_a_trailing_comma(void **state)
{
	parse_fails("{'ociVersion': '1.0.2',\n  'root': {'path': 'r',\n  }}",
		    "config.json:3:3: trailing ',' before the closing bracket");
	parse_fails("{'a': [1, 2, ]}", "config.json:1:14: trailing ',' before the closing bracket");
}

static void rejects_data_after_the_document(void **state)
{
	parse_fails("{" MINIMAL "} x", "config.json:1:53: unexpected character 'x'");
}

static void rejects_a_document_that_is_not_an_object(void **state)
{
	parse_fails("[1]", "config.json: expected a JSON object at the top level");
}

static void accepts_any_1x_oci_version(void **state)
{
	static const char *const versions[] = {"1.0.0", "1.0.2-dev", "1.1.0", "1.2.0-rc.1"};

	for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
		_cleanup_free_ char *json =
		    xasprintf("{'ociVersion': '%s', 'root': {'path': 'r'}}", versions[i]);
		struct spec *spec = parse_ok(json);

		assert_string_equal(spec->oci_version, versions[i]);
		spec_free(spec);
	}
}

static void rejects_oci_version_2(void **state)
{
	parse_fails("{'ociVersion': '2.0.0', 'root': {'path': 'r'}}",
		    "config.json: ociVersion: unsupported version '2.0.0' (expected 1.x)");
	parse_fails("{'ociVersion': '10.0', 'root': {'path': 'r'}}",
		    "config.json: ociVersion: unsupported version '10.0' (expected 1.x)");
}

static void requires_oci_version_and_root_path(void **state)
{
	parse_fails("{'root': {'path': 'r'}}", "config.json: ociVersion: required");
	parse_fails("{'ociVersion': '1.0.0'}", "config.json: root: required");
	parse_fails("{'ociVersion': '1.0.0', 'root': {}}", "config.json: root.path: required");
	parse_fails("{'ociVersion': '1.0.0', 'root': {'path': ''}}",
		    "config.json: root.path: must not be empty");
}

static void resolves_relative_root_path_against_the_bundle(void **state)
{
	struct spec *spec = parse_ok("{'ociVersion': '1.0.0', 'root': {'path': './a//rootfs/'}}");

	assert_string_equal(spec->root_path, "/bundle/a/rootfs");
	assert_false(spec->root_readonly);
	spec_free(spec);
	spec = parse_ok("{'ociVersion': '1.0.0', 'root': {'path': '/srv/r', 'readonly': true}}");
	assert_string_equal(spec->root_path, "/srv/r");
	assert_true(spec->root_readonly);
	spec_free(spec);
}

static void ignores_unknown_properties(void **state)
{
	struct spec *spec =
	    parse_ok("{" MINIMAL ", 'futureField': {'x': [1, 2]}, 'process': {'args': ['sh'], "
		     "'cwd': '/', 'newThing': 3}, 'mounts': [{'destination': '/t', 'type': "
		     "'tmpfs', 'fancy': true}], 'linux': {'whatever': null}}");

	assert_string_equal(spec->process.args[0], "sh");
	assert_int_equal(spec->n_mounts, 1);
	spec_free(spec);
}

static void treats_null_as_absent(void **state)
{
	struct spec *spec = parse_ok("{" MINIMAL ", 'hostname': null, 'linux': {'seccomp': null}}");

	assert_null(spec->hostname);
	assert_null(spec->linux.seccomp);
	spec_free(spec);
}

static void process_errors_name_the_field(void **state)
{
	parse_fails("{" MINIMAL ", 'process': {'args': [], 'cwd': '/'}}",
		    "config.json: process.args: must not be empty");
	parse_fails("{" MINIMAL ", 'process': {'cwd': '/'}}",
		    "config.json: process.args: must not be empty");
	parse_fails("{" MINIMAL ", 'process': {'args': ['sh'], 'cwd': 'tmp'}}",
		    "config.json: process.cwd: must be an absolute path");
	parse_fails("{" MINIMAL ", 'process': {'args': ['sh']}}",
		    "config.json: process.cwd: required");
	parse_fails("{" MINIMAL ", 'process': {'terminal': 'yes', 'args': ['sh'], 'cwd': '/'}}",
		    "config.json: process.terminal: expected a boolean");
	parse_fails("{" MINIMAL ", 'process': {'args': ['sh', 3], 'cwd': '/'}}",
		    "config.json: process.args[1]: expected a string");
	parse_fails("{" MINIMAL ", 'process': {'args': ['sh'], 'cwd': '/', 'env': ['A=1', 'B']}}",
		    "config.json: process.env[1]: 'B' is not of the form KEY=VALUE");
	parse_fails("{" MINIMAL ", 'process': {'args': ['sh'], 'cwd': '/', 'env': ['=x']}}",
		    "config.json: process.env[0]: '=x' is not of the form KEY=VALUE");
	parse_fails("{" MINIMAL ", 'process': {'args': ['sh'], 'cwd': '/', 'user': {'uid': -1}}}",
		    "config.json: process.user.uid: must be between 0 and 4294967294");
	parse_fails("{" MINIMAL ", 'process': {'args': ['sh'], 'cwd': '/', 'oomScoreAdj': 1001}}",
		    "config.json: process.oomScoreAdj: must be between -1000 and 1000");
}

static void rejects_unknown_capability_naming_the_field(void **state)
{
	parse_fails("{" MINIMAL ", 'process': {'args': ['sh'], 'cwd': '/', 'capabilities': "
		    "{'bounding': ['CAP_CHOWN'], 'ambient': ['CAP_KILL', 'CAP_FLY']}}}",
		    "config.json: process.capabilities.ambient[1]: unknown capability 'CAP_FLY'");
}

static void parses_capability_sets_as_bitmasks(void **state)
{
	struct spec *spec = parse_ok(
	    "{" MINIMAL ", 'process': {'args': ['sh'], 'cwd': '/', 'capabilities': {'bounding': "
	    "['CAP_SYS_ADMIN', 'CAP_CHECKPOINT_RESTORE'], 'inheritable': [], 'ambient': "
	    "['CAP_NET_RAW']}}}");

	assert_true(spec->process.has_caps);
	assert_int_equal(spec->process.caps.bounding, (UINT64_C(1) << 21) | (UINT64_C(1) << 40));
	assert_int_equal(spec->process.caps.inheritable, 0);
	assert_int_equal(spec->process.caps.effective, 0);
	assert_int_equal(spec->process.caps.ambient, UINT64_C(1) << 13);
	spec_free(spec);
}

static void parses_process_fields(void **state)
{
	struct spec *spec = parse_ok(
	    "{" MINIMAL ", 'process': {'terminal': true, 'consoleSize': {'height': 24, "
	    "'width': 80}, 'user': {'uid': 1000, 'gid': 100, 'umask': 63, 'additionalGids': "
	    "[5, 6]}, 'args': ['sh', '-c', 'true'], 'env': ['A=1', 'B=x=y'], 'cwd': '/home', "
	    "'rlimits': [{'type': 'RLIMIT_CORE', 'soft': 0, 'hard': 18446744073709551615}], "
	    "'noNewPrivileges': true, 'oomScoreAdj': -500, 'apparmorProfile': 'p', "
	    "'selinuxLabel': 'l'}}");
	const struct spec_process *p = &spec->process;

	assert_true(p->terminal);
	assert_true(p->has_console_size);
	assert_int_equal(p->console_height, 24);
	assert_int_equal(p->console_width, 80);
	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.gid, 100);
	assert_int_equal(p->user.umask, 077);
	assert_int_equal(p->user.n_additional_gids, 2);
	assert_int_equal(p->user.additional_gids[1], 6);
	assert_int_equal(strv_len(p->args), 3);
	assert_string_equal(p->env[1], "B=x=y");
	assert_false(p->has_caps);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_CORE);
	assert_true(p->rlimits[0].hard == UINT64_MAX);
	assert_true(p->has_oom_score_adj);
	assert_int_equal(p->oom_score_adj, -500);
	assert_string_equal(p->apparmor_profile, "p");
	assert_string_equal(p->selinux_label, "l");
	spec_free(spec);
}

static void rlimit_errors_name_the_field(void **state)
{
	parse_fails("{" MINIMAL ", 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': "
		    "'RLIMIT_NOPE', 'soft': 1, 'hard': 1}]}}",
		    "config.json: process.rlimits[0].type: unknown resource limit 'RLIMIT_NOPE'");
	parse_fails("{" MINIMAL ", 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': "
		    "'RLIMIT_NOFILE', 'soft': 2, 'hard': 1}]}}",
		    "config.json: process.rlimits[0].soft: must not exceed hard (2 > 1)");
	parse_fails("{" MINIMAL ", 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': "
		    "'RLIMIT_NOFILE', 'soft': -1, 'hard': 1}]}}",
		    "config.json: process.rlimits[0].soft: must not be negative");
	parse_fails("{" MINIMAL ", 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': "
		    "'RLIMIT_NOFILE', 'soft': 1, 'hard': 1}, {'type': 'RLIMIT_NOFILE', 'soft': 1, "
		    "'hard': 1}]}}",
		    "config.json: process.rlimits[1].type: duplicate of rlimits[0]");
	parse_fails("{" MINIMAL ", 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': "
		    "'RLIMIT_NOFILE', 'hard': 1}]}}",
		    "config.json: process.rlimits[0].soft: required");
}

static void rejects_relative_mount_destination_with_its_index(void **state)
{
	parse_fails("{" MINIMAL ", 'mounts': [{'destination': '/a', 'type': 'tmpfs'}, "
		    "{'destination': '/b', 'type': 'tmpfs'}, {'destination': '/c', 'type': "
		    "'tmpfs'}, {'destination': 'd', 'type': 'tmpfs'}]}",
		    "config.json: mounts[3].destination: must be an absolute path");
}

static void rejects_mount_destination_with_dotdot(void **state)
{
	parse_fails("{" MINIMAL ", 'mounts': [{'destination': '/a/../../etc', 'type': 'tmpfs'}]}",
		    "config.json: mounts[0].destination: must not contain '..'");
}

static void cleans_mount_destination(void **state)
{
	struct spec *spec =
	    parse_ok("{" MINIMAL ", 'mounts': [{'destination': '//a/./b//c/', 'type': 'tmpfs'}, "
		     "{'destination': '/x..y/.z', 'type': 'tmpfs'}]}");

	assert_string_equal(spec->mounts[0].destination, "/a/b/c");
	assert_string_equal(spec->mounts[1].destination, "/x..y/.z");
	spec_free(spec);
}

static void mount_options_set_and_clear_flags_in_order(void **state)
{
	struct spec *spec = parse_ok(
	    "{" MINIMAL ", 'mounts': [{'destination': '/m', 'type': 'ext4', 'source': '/dev/sda', "
	    "'options': ['ro', 'nosuid', 'rw', 'suid', 'nodev', 'noatime', 'strictatime', "
	    "'defaults', 'sync', 'async', 'nosymfollow']}]}");
	const struct spec_mount *m = &spec->mounts[0];

	assert_int_equal(m->flags, MS_NODEV | MS_NOATIME | MS_STRICTATIME | MS_NOSYMFOLLOW);
	assert_int_equal(m->clear_flags, MS_RDONLY | MS_NOSUID | MS_SYNCHRONOUS);
	assert_null(m->data);
	assert_false(m->bind);
	assert_string_equal(m->source, "/dev/sda");
	spec_free(spec);
}

static void mount_fs_options_are_kept_as_data(void **state)
{
	struct spec *spec = parse_ok(
	    "{" MINIMAL ", 'mounts': [{'destination': '/dev/pts', 'type': 'devpts', 'options': "
	    "['nosuid', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5', 'noexec']}]}");

	assert_string_equal(spec->mounts[0].data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	assert_int_equal(spec->mounts[0].flags, MS_NOSUID | MS_NOEXEC);
	spec_free(spec);
}

static void bind_options_imply_type_bind(void **state)
{
	struct spec *spec = parse_ok(
	    "{" MINIMAL ", 'mounts': [{'destination': '/a', 'source': 'data', 'options': "
	    "['rbind', 'rslave', 'rro']}, {'destination': '/b', 'source': '/x', 'type': 'bind'}, "
	    "{'destination': '/c', 'source': '/x', 'type': '', 'options': ['bind', 'private']}]}");
	const struct spec_mount *m = spec->mounts;

	assert_string_equal(m[0].type, "bind");
	assert_true(m[0].bind);
	assert_int_equal(m[0].flags, MS_BIND | MS_REC);
	assert_int_equal(m[0].propagation, MS_SLAVE | MS_REC);
	assert_true(m[0].recursive_ro);
	assert_false(m[1].recursive_ro);
	assert_string_equal(m[0].source, "data");
	assert_true(m[1].bind);
	assert_int_equal(m[1].flags, MS_BIND);
	assert_string_equal(m[2].type, "bind");
	assert_int_equal(m[2].propagation, MS_PRIVATE);
	spec_free(spec);
}

static void rejects_mount_without_type_unless_bind(void **state)
{
	parse_fails("{" MINIMAL ", 'mounts': [{'destination': '/a', 'options': ['ro']}]}",
		    "config.json: mounts[0].type: required for a mount that is not a bind mount");
	parse_fails("{" MINIMAL ", 'mounts': [{'destination': '/a', 'type': 'tmpfs', 'options': "
		    "'ro'}]}",
		    "config.json: mounts[0].options: expected an array");
}

static void parses_idmapped_mounts(void **state)
{
	struct spec *spec = parse_ok(
	    "{" MINIMAL ", 'mounts': [{'destination': '/a', 'source': '/x', 'options': ['rbind', "
	    "'idmap'], 'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}], "
	    "'gidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 1}]}]}");

	assert_true(spec->mounts[0].idmap);
	assert_int_equal(spec->mounts[0].n_uid_mappings, 1);
	assert_int_equal(spec->mounts[0].uid_mappings[0].host_id, 100000);
	assert_int_equal(spec->mounts[0].uid_mappings[0].size, 65536);
	assert_int_equal(spec->mounts[0].gid_mappings[0].host_id, 200000);
	spec_free(spec);
	parse_fails("{" MINIMAL ", 'mounts': [{'destination': '/a', 'source': '/x', 'options': "
		    "['rbind', 'idmap'], 'uidMappings': [{'containerID': 0, 'hostID': 1, 'size': "
		    "0}]}]}",
		    "config.json: mounts[0].uidMappings[0].size: must be between 1 and 4294967295");
}

static void parses_namespaces_as_clone_flags(void **state)
{
	struct spec *spec = parse_ok(
	    "{" MINIMAL ", 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'network', 'path': "
	    "'/var/run/netns/x'}, {'type': 'mount'}, {'type': 'ipc'}, {'type': 'uts'}, {'type': "
	    "'cgroup'}]}}");
	const struct spec_namespace *net = spec_find_namespace(spec, CLONE_NEWNET);

	assert_int_equal(spec->linux.n_namespaces, 6);
	assert_int_equal(spec->linux.namespaces[0].type, CLONE_NEWPID);
	assert_int_equal(spec->linux.namespaces[2].type, CLONE_NEWNS);
	assert_string_equal(net->path, "/var/run/netns/x");
	assert_null(spec_find_namespace(spec, CLONE_NEWPID)->path);
	assert_non_null(spec_find_namespace(spec, CLONE_NEWCGROUP));
	spec_free(spec);
}

static void rejects_unknown_namespace_type(void **state)
{
	parse_fails("{" MINIMAL ", 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'uts'}, "
		    "{'type': 'foo'}]}}",
		    "config.json: linux.namespaces[2].type: unknown namespace type 'foo'");
}

static void rejects_duplicate_namespace(void **state)
{
	parse_fails("{" MINIMAL ", 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'ipc'}, "
		    "{'type': 'pid', 'path': '/proc/1/ns/pid'}]}}",
		    "config.json: linux.namespaces[2].type: duplicate namespace 'pid'");
}

static void parses_hooks_of_every_kind(void **state)
{
	static const char *const kinds[] = {"prestart",	      "createRuntime", "createContainer",
					    "startContainer", "poststart",     "poststop"};
	_cleanup_free_ char *json = NULL;
	char hooks[2048] = "";
	struct spec *spec;

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		snprintf(hooks + strlen(hooks), sizeof(hooks) - strlen(hooks),
			 "%s'%s': [{'path': '/bin/h%zu', 'args': ['h', 'x'], 'env': ['A=1'], "
			 "'timeout': %zu}]",
			 i ? ", " : "", kinds[i], i, i + 1);
	json = xasprintf("{" MINIMAL ", 'hooks': {%s}}", hooks);
	spec = parse_ok(json);
	for (int k = 0; k < SPEC_HOOK__COUNT; k++) {
		char path[16];

		snprintf(path, sizeof(path), "/bin/h%d", k);
		assert_int_equal(spec->hooks[k].n, 1);
		assert_string_equal(spec->hooks[k].hooks[0].path, path);
		assert_string_equal(spec->hooks[k].hooks[0].args[1], "x");
		assert_string_equal(spec->hooks[k].hooks[0].env[0], "A=1");
		assert_int_equal(spec->hooks[k].hooks[0].timeout, k + 1);
	}
	spec_free(spec);
}

static void hook_errors_name_the_field(void **state)
{
	parse_fails("{" MINIMAL ", 'hooks': {'poststop': [{'path': '/a'}, {'path': 'b'}]}}",
		    "config.json: hooks.poststop[1].path: must be an absolute path");
	parse_fails("{" MINIMAL ", 'hooks': {'prestart': [{'path': '/a', 'timeout': 0}]}}",
		    "config.json: hooks.prestart[0].timeout: must be between 1 and 2147483647");
}

static void parses_resources(void **state)
{
	struct spec *spec = parse_ok(
	    "{" MINIMAL ", 'linux': {'resources': {'devices': [{'allow': true, 'type': 'c', "
	    "'major': null, 'minor': 3, 'access': 'rw'}, {'allow': false, 'major': -1, 'minor': "
	    "-1}], "
	    "'memory': {'limit': -1, "
	    "'reservation': 1048576, 'swap': 2097152, 'swappiness': 60, 'disableOOMKiller': true}, "
	    "'cpu': {'shares': 512, 'quota': -1, 'period': 100000, 'burst': 10, 'cpus': '0-1', "
	    "'mems': '0', 'idle': 1}, 'pids': {'limit': -1}, 'blockIO': {'weight': 500, "
	    "'weightDevice': [{'major': 8, 'minor': 0, 'weight': 300}], 'throttleReadBpsDevice': "
	    "[{'major': 8, 'minor': 0, 'rate': 1048576}]}, 'hugepageLimits': [{'pageSize': '2MB', "
	    "'limit': 4194304}], 'network': {'classID': 1048577}, 'unified': {'memory.high': "
	    "'1G'}}}}");
	const struct spec_resources *r = &spec->linux.resources;

	assert_true(r->devices[0].allow);
	assert_int_equal(r->devices[0].type, 'c');
	assert_int_equal(r->devices[0].major, -1);
	assert_int_equal(r->devices[0].minor, 3);
	assert_string_equal(r->devices[0].access, "rw");
	assert_int_equal(r->devices[1].type, 'a');
	assert_int_equal(r->devices[1].major, -1);
	assert_string_equal(r->devices[1].access, "rwm");
	assert_true(r->has_memory_limit);
	assert_int_equal(r->memory_limit, -1);
	assert_int_equal(r->memory_reservation, 1048576);
	assert_int_equal(r->memory_swap, 2097152);
	assert_false(r->has_memory_kernel);
	assert_int_equal(r->memory_swappiness, 60);
	assert_true(r->disable_oom_killer);
	assert_int_equal(r->cpu_shares, 512);
	assert_int_equal(r->cpu_quota, -1);
	assert_int_equal(r->cpu_period, 100000);
	assert_int_equal(r->cpu_burst, 10);
	assert_string_equal(r->cpuset_cpus, "0-1");
	assert_string_equal(r->cpuset_mems, "0");
	assert_true(r->has_cpu_idle);
	assert_false(r->has_cpu_rt_runtime);
	assert_true(r->has_pids_limit);
	assert_int_equal(r->pids_limit, -1);
	assert_int_equal(r->blkio_weight, 500);
	assert_int_equal(r->blkio_weight_devices[0].weight, 300);
	assert_false(r->blkio_weight_devices[0].has_leaf_weight);
	assert_int_equal(r->n_throttle_read_bps, 1);
	assert_int_equal(r->throttle_read_bps[0].rate, 1048576);
	assert_string_equal(r->hugepage_limits[0].page_size, "2MB");
	assert_int_equal(r->hugepage_limits[0].limit, 4194304);
	assert_int_equal(r->net_class_id, 1048577);
	assert_string_equal(r->unified[0].key, "memory.high");
	assert_string_equal(r->unified[0].value, "1G");
	spec_free(spec);
}

static void resource_errors_name_the_field(void **state)
{
	parse_fails("{" MINIMAL ", 'linux': {'resources': {'memory': {'limit': -2}}}}",
		    "config.json: linux.resources.memory.limit: must be between -1 and "
		    "9223372036854775807");
	parse_fails("{" MINIMAL ", 'linux': {'resources': {'memory': {'swappiness': 101}}}}",
		    "config.json: linux.resources.memory.swappiness: must be between 0 and 100");
	parse_fails("{" MINIMAL ", 'linux': {'resources': {'cpu': {'shares': '1024'}}}}",
		    "config.json: linux.resources.cpu.shares: expected an integer");
	parse_fails("{" MINIMAL ", 'linux': {'resources': {'devices': [{'access': 'rwm'}]}}}",
		    "config.json: linux.resources.devices[0].allow: required");
	parse_fails("{" MINIMAL ", 'linux': {'resources': {'devices': [{'allow': true, 'type': "
		    "'x'}]}}}",
		    "config.json: linux.resources.devices[0].type: unknown device type 'x' "
		    "(expected a, c or b)");
	parse_fails("{" MINIMAL ", 'linux': {'resources': {'devices': [{'allow': true, 'access': "
		    "'rwx'}]}}}",
		    "config.json: linux.resources.devices[0].access: 'rwx' is not a combination of "
		    "r, w and m");
	parse_fails("{" MINIMAL ", 'linux': {'resources': {'devices': [{'allow': true, 'access': "
		    "'rr'}]}}}",
		    "config.json: linux.resources.devices[0].access: 'rr' is not a combination of "
		    "r, w and m");
	parse_fails("{" MINIMAL ", 'linux': {'resources': {'memory': {'limit': 1.5}}}}",
		    "config.json: linux.resources.memory.limit: expected an integer");
}

static void parses_linux_devices(void **state)
{
	struct spec *spec = parse_ok(
	    "{" MINIMAL ", 'linux': {'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10, "
	    "'minor': 229, 'fileMode': 438, 'uid': 0, 'gid': 0}, {'path': '/dev/fifo', 'type': "
	    "'p'}]}}");
	const struct spec_device *d = spec->linux.devices;

	assert_int_equal(spec->linux.n_devices, 2);
	assert_string_equal(d[0].path, "/dev/fuse");
	assert_int_equal(d[0].type, 'c');
	assert_int_equal(d[0].major, 10);
	assert_int_equal(d[0].minor, 229);
	assert_true(d[0].has_file_mode);
	assert_int_equal(d[0].file_mode, 0666);
	assert_true(d[0].has_uid);
	assert_int_equal(d[1].type, 'p');
	assert_false(d[1].has_file_mode);
	spec_free(spec);
	parse_fails("{" MINIMAL ", 'linux': {'devices': [{'path': '/dev/x', 'type': 'c', 'minor': "
		    "1}]}}",
		    "config.json: linux.devices[0].major: required for a device of type 'c'");
	parse_fails("{" MINIMAL ", 'linux': {'devices': [{'path': '/dev/x', 'type': 'q'}]}}",
		    "config.json: linux.devices[0].type: unknown device type 'q' (expected c, b, u "
		    "or p)");
}

static void parses_other_linux_fields(void **state)
{
	struct spec *spec = parse_ok(
	    "{" MINIMAL ", 'linux': {'namespaces': [{'type': 'network'}, {'type': 'ipc'}, "
	    "{'type': 'time'}], 'sysctl': {'net.ipv4.ip_forward': '1', 'kernel.shmmax': "
	    "'1000'}, 'timeOffsets': {'monotonic': {'secs': -10, 'nanosecs': 5}, 'boottime': "
	    "{'secs': 3600}}, 'rootfsPropagation': 'rshared', 'maskedPaths': ['/proc/kcore'], "
	    "'readonlyPaths': ['/proc/sys'], 'mountLabel': 'm', 'personality': {'domain': "
	    "'LINUX32'}, 'intelRdt': {'closID': 'c'}}}");
	const struct spec_linux *l = &spec->linux;

	assert_int_equal(l->n_sysctl, 2);
	assert_string_equal(l->sysctl[0].key, "net.ipv4.ip_forward");
	assert_string_equal(l->sysctl[0].value, "1");
	assert_int_equal(l->n_time_offsets, 2);
	assert_int_equal(l->time_offsets[0].clock, CLOCK_MONOTONIC);
	assert_int_equal(l->time_offsets[0].secs, -10);
	assert_int_equal(l->time_offsets[0].nanosecs, 5);
	assert_int_equal(l->time_offsets[1].clock, CLOCK_BOOTTIME);
	assert_int_equal(l->rootfs_propagation, MS_SHARED | MS_REC);
	assert_string_equal(l->masked_paths[0], "/proc/kcore");
	assert_string_equal(l->readonly_paths[0], "/proc/sys");
	assert_string_equal(l->mount_label, "m");
	assert_true(l->has_personality);
	assert_int_equal(l->personality, 8 /* PER_LINUX32 */);
	assert_string_equal(l->intel_rdt_clos_id, "c");
	spec_free(spec);
	parse_fails("{" MINIMAL ", 'linux': {'rootfsPropagation': 'sideways'}}",
		    "config.json: linux.rootfsPropagation: unknown propagation 'sideways'");
	parse_fails("{" MINIMAL ", 'linux': {'namespaces': [{'type': 'time'}], 'timeOffsets': "
		    "{'realtime': {'secs': 1}}}}",
		    "config.json: linux.timeOffsets.realtime: unknown clock (expected monotonic or "
		    "boottime)");
}

static void rejects_strings_with_nul(void **state)
{
	parse_fails("{" MINIMAL ", 'hostname': 'a\\u0000b'}",
		    "config.json: hostname: must not contain a NUL character");
}

static void default_config_reparses(void **state)
{
	for (int rootless = 0; rootless <= 1; rootless++) {
		_cleanup_free_ char *json = spec_oci_default_config(rootless);
		struct ctr_error err = CTR_ERROR_INIT;
		struct spec *spec = NULL;

		if (spec_oci_parse(json, strlen(json), "config.json", "/b", &spec, &err) < 0)
			fail_msg("rootless=%d: %s\n%s", rootless, err.msg, json);
		assert_string_equal(spec->oci_version, "1.0.2");
		assert_string_equal(spec->root_path, "/b/rootfs");
		assert_true(spec->root_readonly);
		assert_string_equal(spec->hostname, "ctr");
		assert_true(spec->process.terminal);
		assert_string_equal(spec->process.args[0], "sh");
		assert_string_equal(spec->process.env[1], "TERM=xterm");
		assert_int_equal(spec->process.caps.bounding, cap_oci_default_mask());
		assert_int_equal(spec->process.caps.permitted, cap_oci_default_mask());
		assert_int_equal(spec->process.rlimits[0].resource, RLIMIT_NOFILE);
		assert_true(spec->process.no_new_privileges);
		assert_int_equal(strv_len(spec->linux.masked_paths), 10);
		assert_int_equal(strv_len(spec->linux.readonly_paths), 5);
		assert_string_equal(find_mount(spec, "/dev")->data, "mode=755,size=65536k");
		assert_true(find_mount(spec, "/sys")->flags & MS_RDONLY);
		assert_int_equal(!!spec_find_namespace(spec, CLONE_NEWUSER), rootless);
		assert_int_equal(!!spec_find_namespace(spec, CLONE_NEWNET), !rootless);
		if (rootless) {
			assert_true(find_mount(spec, "/sys")->bind);
			assert_int_equal(spec->linux.uid_mappings[0].host_id, getuid());
			assert_int_equal(spec->linux.gid_mappings[0].size, 1);
			assert_int_equal(spec->n_mounts, 6);
		} else {
			assert_int_equal(spec->linux.resources.n_devices, 1);
			assert_false(spec->linux.resources.devices[0].allow);
			assert_string_equal(find_mount(spec, "/sys/fs/cgroup")->type, "cgroup");
			assert_int_equal(spec->n_mounts, 7);
		}
		spec_free(spec);
	}
}

/* A bundle in a fresh temporary directory, removed by the test. */
static char *make_bundle(const char *config)
{
	char tmpl[] = "/tmp/ctr-spec-test-XXXXXX";
	char *dir = xstrdup(mkdtemp(tmpl));
	_cleanup_free_ char *path = xasprintf("%s/config.json", dir);
	_cleanup_free_ char *json = quotes(config);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, json, strlen(json)), 0);
	close(fd);
	return dir;
}

static void remove_bundle(char *dir)
{
	_cleanup_free_ char *config = xasprintf("%s/config.json", dir);
	_cleanup_free_ char *rootfs = xasprintf("%s/rootfs", dir);

	unlink(config);
	rmdir(rootfs);
	rmdir(dir);
	free(dir);
}

static void load_reports_a_missing_root_path(void **state)
{
	char *dir = make_bundle("{" MINIMAL "}");
	struct ctr_error err = CTR_ERROR_INIT;
	struct spec *spec = NULL;
	_cleanup_free_ char *expected =
	    xasprintf("config.json: root.path: %s/rootfs: No such file or directory", dir);
	int ret = spec_oci_load(dir, &spec, &err);

	remove_bundle(dir);
	assert_int_equal(ret, -ENOENT);
	assert_null(spec);
	assert_string_equal(err.msg, expected);
}

static void load_reports_a_missing_config_file(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct spec *spec = NULL;

	assert_int_equal(spec_oci_load("/nonexistent-ctr-bundle", &spec, &err), -ENOENT);
	assert_null(spec);
	assert_string_equal(err.msg,
			    "open /nonexistent-ctr-bundle/config.json: No such file or directory");
}

static void load_reads_the_bundle_config(void **state)
{
	char *dir = make_bundle("{" MINIMAL ", 'hostname': 'h', 'linux': {'namespaces': [{'type': "
				"'uts'}]}}");
	_cleanup_free_ char *rootfs = xasprintf("%s/rootfs", dir);
	struct ctr_error err = CTR_ERROR_INIT;
	struct spec *spec = NULL;
	int ret;

	assert_int_equal(mkdir(rootfs, 0700), 0);
	ret = spec_oci_load(dir, &spec, &err);
	if (ret < 0) {
		remove_bundle(dir);
		fail_msg("%s", err.msg);
	}
	assert_string_equal(spec->bundle, dir);
	assert_string_equal(spec->root_path, rootfs);
	assert_string_equal(spec->hostname, "h");
	spec_free(spec);
	remove_bundle(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(loads_containerd_sample_config),
	    cmocka_unit_test(loads_podman_sample_config),
	    cmocka_unit_test(parses_exec_process_samples),
	    cmocka_unit_test(exec_process_errors_name_the_field_without_prefix),
	    cmocka_unit_test(syntax_error_reports_line_and_column),
	    cmocka_unit_test(syntax_error_at_end_of_input_points_past_the_last_character),
	    cmocka_unit_test(names_a_trailing_comma),
	    cmocka_unit_test(rejects_data_after_the_document),
	    cmocka_unit_test(rejects_a_document_that_is_not_an_object),
	    cmocka_unit_test(accepts_any_1x_oci_version),
	    cmocka_unit_test(rejects_oci_version_2),
	    cmocka_unit_test(requires_oci_version_and_root_path),
	    cmocka_unit_test(resolves_relative_root_path_against_the_bundle),
	    cmocka_unit_test(ignores_unknown_properties),
	    cmocka_unit_test(treats_null_as_absent),
	    cmocka_unit_test(process_errors_name_the_field),
	    cmocka_unit_test(rejects_unknown_capability_naming_the_field),
	    cmocka_unit_test(parses_capability_sets_as_bitmasks),
	    cmocka_unit_test(parses_process_fields),
	    cmocka_unit_test(rlimit_errors_name_the_field),
	    cmocka_unit_test(rejects_relative_mount_destination_with_its_index),
	    cmocka_unit_test(rejects_mount_destination_with_dotdot),
	    cmocka_unit_test(cleans_mount_destination),
	    cmocka_unit_test(mount_options_set_and_clear_flags_in_order),
	    cmocka_unit_test(mount_fs_options_are_kept_as_data),
	    cmocka_unit_test(bind_options_imply_type_bind),
	    cmocka_unit_test(rejects_mount_without_type_unless_bind),
	    cmocka_unit_test(parses_idmapped_mounts),
	    cmocka_unit_test(parses_namespaces_as_clone_flags),
	    cmocka_unit_test(rejects_unknown_namespace_type),
	    cmocka_unit_test(rejects_duplicate_namespace),
	    cmocka_unit_test(parses_hooks_of_every_kind),
	    cmocka_unit_test(hook_errors_name_the_field),
	    cmocka_unit_test(parses_resources),
	    cmocka_unit_test(resource_errors_name_the_field),
	    cmocka_unit_test(parses_linux_devices),
	    cmocka_unit_test(parses_other_linux_fields),
	    cmocka_unit_test(rejects_strings_with_nul),
	    cmocka_unit_test(default_config_reparses),
	    cmocka_unit_test(load_reports_a_missing_root_path),
	    cmocka_unit_test(load_reports_a_missing_config_file),
	    cmocka_unit_test(load_reads_the_bundle_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
