/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the native config: runtime/config_native*.c and config_units.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "caps.h"
#include "config_native.h"
#include "config_units.h"
#include "util.h"

#define ROOT "rootfs = /srv/web\n"

static struct native_config *parse_ok(const char *text)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct native_config *c = NULL;

	if (config_native_parse(text, strlen(text), "web/config", &c, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	return c;
}

static void parse_fails(const char *text, const char *expected)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct native_config *c = NULL;
	int r = config_native_parse(text, strlen(text), "web/config", &c, &err);

	if (r == 0) {
		native_config_free(c);
		fail_msg("parsed, expected: %s", expected);
	}
	assert_int_equal(r, -EINVAL);
	assert_null(c);
	assert_string_equal(err.msg, expected);
}

static const struct spec_id_map range = {0, 100000, 65536};

static const struct native_defaults defaults = {
    .name = "web",
    .dir = "/var/lib/ctr/containers/web",
    .uid_mappings = &range,
    .n_uid_mappings = 1,
    .gid_mappings = &range,
    .n_gid_mappings = 1,
};

static struct spec *to_spec_ok(const char *text)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct native_config *c = parse_ok(text);
	struct spec *s = NULL;

	if (config_native_to_spec(c, &defaults, &s, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	native_config_free(c);
	return s;
}

static void to_spec_fails(const char *text, const struct native_defaults *d, const char *expected)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct native_config *c = parse_ok(text);
	struct spec *s = NULL;

	assert_true(config_native_to_spec(c, d, &s, &err) < 0);
	assert_null(s);
	assert_string_equal(err.msg, expected);
	native_config_free(c);
}

static const struct spec_mount *find_mount(const struct spec *s, const char *dest)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (strcmp(s->mounts[i].destination, dest) == 0)
			return &s->mounts[i];
	return NULL;
}

static bool has_cap(uint64_t mask, const char *name)
{
	return mask & (UINT64_C(1) << cap_from_name(name));
}

/* --- reading ------------------------------------------------------------ */

static void parses_every_scalar_key(void **state)
{
	struct native_config *c = parse_ok(ROOT "hostname = web-1.example\n"
						"cwd = /root/\n"
						"user = 1000:100\n"
						"idmap = shared\n"
						"privileged = no\n"
						"seccomp = unconfined\n"
						"halt.signal = SIGPWR\n"
						"reboot.signal = TERM\n"
						"stop.timeout = 2m\n"
						"autostart = yes\n");

	assert_string_equal(c->rootfs, "/srv/web");
	assert_string_equal(c->hostname, "web-1.example");
	assert_string_equal(c->cwd, "/root");
	assert_true(c->has_user);
	assert_int_equal(c->uid, 1000);
	assert_int_equal(c->gid, 100);
	assert_int_equal(c->idmap, NATIVE_IDMAP_SHARED);
	assert_true(c->has_privileged);
	assert_false(c->privileged);
	assert_int_equal(c->seccomp, NATIVE_SECCOMP_UNCONFINED);
	assert_int_equal(native_halt_signal(c), SIGPWR);
	assert_int_equal(native_reboot_signal(c), SIGTERM);
	assert_int_equal(native_stop_timeout(c), 120);
	assert_true(c->autostart);
	native_config_free(c);
}

static void unset_keys_take_documented_defaults(void **state)
{
	struct native_config *c = parse_ok("image = debian\n");

	assert_string_equal(c->image, "debian");
	assert_null(c->init);
	assert_false(c->has_user);
	assert_int_equal(native_halt_signal(c), SIGRTMIN + 3);
	assert_int_equal(native_reboot_signal(c), SIGINT);
	assert_int_equal(native_stop_timeout(c), NATIVE_DEFAULT_STOP_TIMEOUT);
	native_config_free(c);
}

static void user_without_gid_means_gid_0(void **state)
{
	struct native_config *c = parse_ok(ROOT "user = 33\n");

	assert_int_equal(c->uid, 33);
	assert_int_equal(c->gid, 0);
	native_config_free(c);
}

static void skips_comments_and_blank_lines(void **state)
{
	struct native_config *c = parse_ok("# a container\n"
					   "\n"
					   "   # indented comment\n"
					   "rootfs=/srv/web\r\n"
					   "\t\n"
					   "hostname\t=\tweb   \n");

	assert_string_equal(c->rootfs, "/srv/web");
	assert_string_equal(c->hostname, "web");
	native_config_free(c);
}

static void collects_repeated_env_and_mount_lines_in_order(void **state)
{
	struct native_config *c =
	    parse_ok(ROOT "env = A=1\n"
			  "env = B=x=y\n"
			  "mount = /srv/data data none bind,ro\n"
			  "mount = tmpfs /tmp tmpfs size=64M 0 0\n"
			  "mount = /srv/my\\040files /mnt/my\\040files bind\n");

	assert_string_equal(c->env[0], "A=1");
	assert_string_equal(c->env[1], "B=x=y");
	assert_null(c->env[2]);
	assert_int_equal(c->n_mounts, 3);
	assert_string_equal(c->mounts[0].source, "/srv/data");
	assert_string_equal(c->mounts[0].destination, "/data");
	assert_string_equal(c->mounts[0].type, "none");
	assert_string_equal(c->mounts[0].options, "bind,ro");
	assert_string_equal(c->mounts[1].destination, "/tmp");
	assert_string_equal(c->mounts[1].options, "size=64M");
	assert_string_equal(c->mounts[2].source, "/srv/my files");
	assert_string_equal(c->mounts[2].destination, "/mnt/my files");
	assert_null(c->mounts[2].options);
	native_config_free(c);
}

static void splits_init_like_a_shell(void **state)
{
	struct native_config *c =
	    parse_ok(ROOT "init = /bin/sh -c 'echo \"hi there\"; exec init' \"a b\" c\\ d\n");

	assert_string_equal(c->init[0], "/bin/sh");
	assert_string_equal(c->init[1], "-c");
	assert_string_equal(c->init[2], "echo \"hi there\"; exec init");
	assert_string_equal(c->init[3], "a b");
	assert_string_equal(c->init[4], "c d");
	assert_null(c->init[5]);
	native_config_free(c);
	parse_fails(ROOT "init = /bin/sh -c 'oops\n", "web/config:2: init: unterminated ' quote");
}

static void collects_checkpoint_hooks_per_point_and_writes_them_back(void **state)
{
	struct native_config *c =
	    parse_ok(ROOT "hook.pre-checkpoint = /usr/bin/notify 'on call' 2\n"
			  "hook.pre-checkpoint = /bin/true\n"
			  "hook.post-restore = /srv/after\n");
	char *text;

	(void)state;
	assert_int_equal(c->hooks[NATIVE_HOOK_PRE_CHECKPOINT].n, 2);
	assert_string_equal(c->hooks[NATIVE_HOOK_PRE_CHECKPOINT].argv[0][0], "/usr/bin/notify");
	assert_string_equal(c->hooks[NATIVE_HOOK_PRE_CHECKPOINT].argv[0][1], "on call");
	assert_string_equal(c->hooks[NATIVE_HOOK_PRE_CHECKPOINT].argv[0][2], "2");
	assert_null(c->hooks[NATIVE_HOOK_PRE_CHECKPOINT].argv[0][3]);
	assert_string_equal(c->hooks[NATIVE_HOOK_PRE_CHECKPOINT].argv[1][0], "/bin/true");
	assert_int_equal(c->hooks[NATIVE_HOOK_POST_CHECKPOINT].n, 0);
	assert_int_equal(c->hooks[NATIVE_HOOK_POST_RESTORE].n, 1);
	text = config_native_format(c);
	assert_non_null(strstr(text, "hook.pre-checkpoint = /usr/bin/notify 'on call' 2\n"
				     "hook.pre-checkpoint = /bin/true\n"));
	assert_non_null(strstr(text, "hook.post-restore = /srv/after\n"));
	free(text);
	native_config_free(c);
}

static void rejects_a_hook_that_is_not_an_absolute_path(void **state)
{
	(void)state;
	parse_fails(ROOT "hook.pre-restore = notify now\n",
		    "web/config:2: hook.pre-restore: expected the absolute path of an executable, "
		    "not 'notify'");
	parse_fails(ROOT "hook.post-checkpoint =\n", "web/config:2: hook.post-checkpoint: missing value");
}

static void keeps_and_drops_capabilities_by_name(void **state)
{
	struct native_config *c = parse_ok(ROOT "capabilities.keep = chown, CAP_KILL\n"
						"capabilities.keep = sys_time\n"
						"capabilities.drop = net_raw\n");

	assert_true(c->has_caps_keep);
	assert_true(has_cap(c->caps_keep, "chown"));
	assert_true(has_cap(c->caps_keep, "kill"));
	assert_true(has_cap(c->caps_keep, "sys_time"));
	assert_false(has_cap(c->caps_keep, "sys_admin"));
	assert_true(has_cap(c->caps_drop, "net_raw"));
	native_config_free(c);
	c = parse_ok(ROOT "capabilities.keep = none\n");
	assert_true(c->has_caps_keep);
	assert_int_equal(c->caps_keep, 0);
	native_config_free(c);
	parse_fails(ROOT "capabilities.drop = sys_admin fly\n",
		    "web/config:2: capabilities.drop: unknown capability 'fly'");
}

static void parses_limits_with_units(void **state)
{
	struct native_config *c = parse_ok(ROOT "limits.memory = 512M\n"
						"limits.memory.swap = 1.5G\n"
						"limits.memory.high = max\n"
						"limits.cpu = 1.5 cpus\n"
						"limits.cpu.weight = 200\n"
						"limits.cpuset = 0-1,3\n"
						"limits.pids = 500\n"
						"limits.io.weight = 50\n");
	const struct native_limits *l = &c->limits;

	assert_int_equal(l->memory, 512 << 20);
	assert_int_equal(l->memory_swap, 3 * (INT64_C(1) << 29));
	assert_int_equal(l->memory_high, -1);
	assert_int_equal(l->cpu_quota, 150000);
	assert_int_equal(l->cpu_weight, 200);
	assert_string_equal(l->cpuset, "0-1,3");
	assert_int_equal(l->pids, 500);
	assert_int_equal(l->io_weight, 50);
	native_config_free(c);
}

static void parses_interfaces_by_index(void **state)
{
	struct native_config *c = parse_ok(ROOT "net.1.type = macvlan\n"
						"net.1.link = eno1\n"
						"net.0.type = veth\n"
						"net.0.link = ctrbr0\n"
						"net.0.name = lan0\n"
						"net.0.hwaddr = 02:AB:00:00:00:01\n"
						"net.0.ipv4 = 10.0.3.5/24\n"
						"net.0.ipv4.gateway = 10.0.3.1\n"
						"net.0.ipv6 = fd00::5/64\n"
						"net.0.ipv6.gateway = fd00::1\n"
						"net.0.mtu = 1400\n");
	const struct native_net *n = &c->nets[0];
	char buf[INET6_ADDRSTRLEN];

	assert_int_equal(c->n_nets, 2);
	assert_int_equal(n->index, 0);
	assert_int_equal(n->type, NATIVE_NET_VETH);
	assert_string_equal(n->link, "ctrbr0");
	assert_string_equal(n->name, "lan0");
	assert_true(n->has_hwaddr);
	assert_int_equal(n->hwaddr[1], 0xab);
	assert_string_equal(inet_ntop(AF_INET, &n->ipv4, buf, sizeof(buf)), "10.0.3.5");
	assert_int_equal(n->ipv4_prefix, 24);
	assert_string_equal(inet_ntop(AF_INET, &n->ipv4_gateway, buf, sizeof(buf)), "10.0.3.1");
	assert_string_equal(inet_ntop(AF_INET6, &n->ipv6, buf, sizeof(buf)), "fd00::5");
	assert_int_equal(n->ipv6_prefix, 64);
	assert_int_equal(n->mtu, 1400);
	assert_int_equal(c->nets[1].index, 1);
	assert_int_equal(c->nets[1].type, NATIVE_NET_MACVLAN);
	native_config_free(c);
}

/* --- errors ------------------------------------------------------------- */

static void suggests_the_nearest_key_for_a_typo(void **state)
{
	parse_fails(ROOT "limits.memroy = 1G\n",
		    "web/config:2: unknown key 'limits.memroy' (did you mean 'limits.memory'?)");
	parse_fails(ROOT "net.2.lnik = br0\n",
		    "web/config:2: unknown key 'net.2.lnik' (did you mean 'net.2.link'?)");
	parse_fails(ROOT "memory = 1G\n",
		    "web/config:2: unknown key 'memory' (did you mean 'limits.memory'?)");
	parse_fails(ROOT "flux.capacitor = 1\n", "web/config:2: unknown key 'flux.capacitor'");
}

static void reports_bad_values_with_their_line(void **state)
{
	static const char *const cases[][2] = {
	    {"limits.memory = 12Q", "limits.memory: invalid size '12Q'"},
	    {"limits.memory = 0", "limits.memory: size must be at least 1 bytes, not '0'"},
	    {"limits.cpu = 0.001", "limits.cpu: cpu count '0.001' is out of range (at least 0.01)"},
	    {"limits.cpu = fast", "limits.cpu: invalid cpu count 'fast' (e.g. 1.5 or max)"},
	    {"limits.cpu.weight = 0", "limits.cpu.weight: weight must be 1 to 10000, not '0'"},
	    {"limits.cpuset = 3-1", "limits.cpuset: invalid cpu list '3-1' (e.g. 0-3,6)"},
	    {"limits.pids = -5", "limits.pids: expected a number of processes or max, not '-5'"},
	    {"hostname = -web", "hostname: invalid hostname '-web'"},
	    {"cwd = root", "cwd: 'root' must be an absolute path"},
	    {"env = NOVALUE", "env: 'NOVALUE' is not of the form KEY=VALUE"},
	    {"user = root", "user: expected UID or UID:GID (numbers), not 'root'"},
	    {"mount = /a /b", "mount: expected SOURCE DEST TYPE [OPTIONS], not '/a /b'"},
	    {"mount = /a ../b none bind", "mount: '/../b' must not contain '..'"},
	    {"mount = data /b none bind", "mount: bind source 'data' must be an absolute path"},
	    {"mount = /a /b\\040 none bind", "mount: '/b ' must not end with a blank"},
	    {"cwd = /a\x01"
	     "b",
	     "cwd: '/a\x01"
	     "b' contains a control character"},
	    {"idmap = yes", "idmap: expected isolated, shared or none, not 'yes'"},
	    {"privileged = maybe", "privileged: expected true or false, not 'maybe'"},
	    {"halt.signal = SIGFOO", "halt.signal: unknown signal 'SIGFOO'"},
	    {"stop.timeout = soon", "stop.timeout: invalid duration 'soon' (e.g. 30, 30s or 2m)"},
	    {"seccomp = strict.json",
	     "seccomp: expected default, unconfined or the absolute path of a profile, not "
	     "'strict.json'"},
	    {"net.0.type = bridge",
	     "net.0.type: expected veth, macvlan, none, host or netns, not 'bridge'"},
	    {"net.0.ipv4 = 10.0.0.300/24", "net.0.ipv4: invalid address '10.0.0.300'"},
	    {"net.0.ipv4 = 10.0.0.3", "net.0.ipv4: expected ADDRESS/PREFIX, not '10.0.0.3'"},
	    {"net.0.hwaddr = 01:00:00:00:00:01",
	     "net.0.hwaddr: '01:00:00:00:00:01' is a multicast address"},
	    {"net.0.mtu = 9", "net.0.mtu: mtu must be 68 to 65535, not '9'"},
	    {"net.0.name = a/b",
	     "net.0.name: invalid interface name 'a/b' (at most 15 characters, no '/')"},
	    {"net.07.type = veth",
	     "net.07.type: interface number must be 0 to 99, without leading zeros"},
	    {"hostname =", "hostname: missing value"},
	    {"just words", "expected 'key = value'"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *text = xasprintf("# web\n" ROOT "%s\n", cases[i][0]);
		char *msg = xasprintf("web/config:3: %s", cases[i][1]);

		parse_fails(text, msg);
		free(text);
		free(msg);
	}
}

static void rejects_a_key_set_twice(void **state)
{
	parse_fails(ROOT "hostname = a\nhostname = b\n",
		    "web/config:3: hostname: already set on line 2");
}

static void requires_exactly_one_of_rootfs_and_image(void **state)
{
	parse_fails("hostname = a\n", "web/config: one of 'rootfs' or 'image' is required");
	parse_fails(ROOT "image = debian\n", "web/config:2: image: conflicts with rootfs (line 1)");
}

static void rejects_privileged_with_a_user_namespace(void **state)
{
	parse_fails(ROOT "idmap = isolated\nprivileged = true\n",
		    "web/config:3: privileged: conflicts with idmap = isolated (line 2)");
}

static void swap_limit_needs_a_memory_limit(void **state)
{
	parse_fails(
	    ROOT "limits.memory.swap = 1G\n",
	    "web/config:2: limits.memory.swap: needs limits.memory set to a size (not max)");
}

static void rejects_inconsistent_interfaces(void **state)
{
	parse_fails(ROOT "net.0.link = br0\n", "web/config:2: net.0: net.0.type is required");
	parse_fails(ROOT "net.0.type = host\nnet.1.type = veth\n",
		    "web/config:2: net.0.type: host must be the only interface");
	parse_fails(ROOT "net.0.type = macvlan\n",
		    "web/config:2: net.0.type: macvlan needs net.0.link");
	parse_fails(ROOT "net.0.type = host\nnet.0.ipv4 = 10.0.0.2/8\n",
		    "web/config:3: net.0.ipv4: not used with net.0.type = host");
	parse_fails(ROOT "net.0.type = veth\nnet.0.ipv4.gateway = 10.0.0.1\n",
		    "web/config:3: net.0.ipv4.gateway: needs net.0.ipv4");
	parse_fails(ROOT "net.0.type = veth\nnet.1.type = veth\nnet.1.name = eth0\n",
		    "web/config:4: net.1.name: 'eth0' is also the name of net.0");
}

/* --- units -------------------------------------------------------------- */

static void parses_sizes_with_binary_units(void **state)
{
	static const struct {
		const char *text;
		int64_t bytes;
	} ok[] = {
	    {"512M", INT64_C(512) << 20},
	    {"1.5G", INT64_C(3) << 29},
	    {"max", -1},
	    {"64k", 65536},
	    {"1KiB", 1024},
	    {"2MB", INT64_C(2) << 20},
	    {"1000", 1000},
	    {"0.5K", 512},
	    {"1T", INT64_C(1) << 40},
	};
	static const char *const bad[] = {"", "12Q", "1.", ".5G", "-1G", "1 G", "1Gi", "G"};
	int64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(units_parse_size(ok[i].text, &v), 0);
		assert_int_equal(v, ok[i].bytes);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(units_parse_size(bad[i], &v), -EINVAL);
	assert_int_equal(units_parse_size("9000000P", &v), -ERANGE);
}

static void parses_cpu_counts_into_a_quota(void **state)
{
	int64_t q;

	assert_int_equal(units_parse_cpus("1.5", &q), 0);
	assert_int_equal(q, 150000);
	assert_int_equal(units_parse_cpus("0.25 cpus", &q), 0);
	assert_int_equal(q, 25000);
	assert_int_equal(units_parse_cpus("2 cpu", &q), 0);
	assert_int_equal(q, 200000);
	assert_int_equal(units_parse_cpus("max", &q), 0);
	assert_int_equal(q, -1);
	assert_int_equal(units_parse_cpus("0.001", &q), -ERANGE);
	assert_int_equal(units_parse_cpus("1.000001", &q), -EINVAL);
	assert_int_equal(units_parse_cpus("1.5 cores", &q), -EINVAL);
}

static void parses_durations_in_seconds(void **state)
{
	uint64_t s;

	assert_int_equal(units_parse_duration("30", &s), 0);
	assert_int_equal(s, 30);
	assert_int_equal(units_parse_duration("30s", &s), 0);
	assert_int_equal(s, 30);
	assert_int_equal(units_parse_duration("2m", &s), 0);
	assert_int_equal(s, 120);
	assert_int_equal(units_parse_duration("1h", &s), 0);
	assert_int_equal(s, 3600);
	assert_int_equal(units_parse_duration("1.5m", &s), -EINVAL);
	assert_int_equal(units_parse_duration("5d", &s), -EINVAL);
}

static void formats_units_in_their_shortest_exact_form(void **state)
{
	char buf[UNITS_BUF_MAX];

	units_format_size(INT64_C(512) << 20, buf, sizeof(buf));
	assert_string_equal(buf, "512M");
	units_format_size(INT64_C(3) << 29, buf, sizeof(buf));
	assert_string_equal(buf, "1536M");
	units_format_size(1000, buf, sizeof(buf));
	assert_string_equal(buf, "1000");
	units_format_size(-1, buf, sizeof(buf));
	assert_string_equal(buf, "max");
	units_format_cpus(150000, buf, sizeof(buf));
	assert_string_equal(buf, "1.5");
	units_format_cpus(200000, buf, sizeof(buf));
	assert_string_equal(buf, "2");
	units_format_cpus(1005, buf, sizeof(buf));
	assert_string_equal(buf, "0.01005");
	units_format_cpus(-1, buf, sizeof(buf));
	assert_string_equal(buf, "max");
}

/* --- writing ------------------------------------------------------------ */

static const char full_config[] = "# everything\n"
				  "image = debian\n"
				  "init = /lib/systemd/systemd --log-level='debug info' it\\'s\n"
				  "hostname = db\n"
				  "env = A=1\n"
				  "env = B=two words\n"
				  "cwd = /srv\n"
				  "user = 0:0\n"
				  "mount = /srv/my\\040data /data none rbind,ro\n"
				  "mount = tmpfs /run/x tmpfs\n"
				  "limits.memory = 1.5G\n"
				  "limits.memory.swap = 0\n"
				  "limits.memory.high = 1G\n"
				  "limits.cpu = 0.5\n"
				  "limits.cpu.weight = 300\n"
				  "limits.cpuset = 0\n"
				  "limits.pids = max\n"
				  "limits.io.weight = 10\n"
				  "net.0.type = veth\n"
				  "net.0.link = ctrbr0\n"
				  "net.0.hwaddr = 02:00:00:00:00:01\n"
				  "net.0.ipv4 = 10.0.3.5/24\n"
				  "net.0.ipv4.gateway = 10.0.3.1\n"
				  "net.0.ipv6 = fd00::5/64\n"
				  "net.0.mtu = 1500\n"
				  "net.3.type = macvlan\n"
				  "net.3.link = eno1\n"
				  "net.3.name = wan\n"
				  "idmap = shared\n"
				  "privileged = false\n"
				  "capabilities.keep = all\n"
				  "capabilities.drop = sys_admin net_raw\n"
				  "seccomp = /etc/ctr/strict.json\n"
				  "halt.signal = SIGPWR\n"
				  "reboot.signal = SIGRTMIN+4\n"
				  "stop.timeout = 1m\n"
				  "autostart = on\n";

static void formatted_config_parses_back_the_same(void **state)
{
	struct native_config *c = parse_ok(full_config), *again;
	char *text = config_native_format(c), *text2;

	again = parse_ok(text);
	text2 = config_native_format(again);
	assert_string_equal(text, text2);
	assert_string_equal(again->init[1], "--log-level=debug info");
	assert_string_equal(again->init[2], "it's");
	assert_string_equal(again->mounts[0].source, "/srv/my data");
	assert_int_equal(again->limits.memory, c->limits.memory);
	assert_int_equal(again->limits.cpu_quota, 50000);
	assert_int_equal(again->caps_keep, c->caps_keep);
	assert_int_equal(again->caps_drop, c->caps_drop);
	assert_int_equal(again->n_nets, 2);
	assert_string_equal(again->nets[1].name, "wan");
	assert_int_equal(again->reboot_signal, SIGRTMIN + 4);
	assert_int_equal(again->stop_timeout, 60);
	assert_true(again->has_privileged);
	free(text);
	free(text2);
	native_config_free(c);
	native_config_free(again);
}

static void writes_only_what_the_config_sets(void **state)
{
	struct native_config *c = parse_ok("image = busybox\nhalt.signal = PWR\n");
	char *text = config_native_format(c);

	assert_string_equal(text, "image = busybox\nhalt.signal = SIGPWR\n");
	free(text);
	native_config_free(c);
}

static void lists_every_key_with_help(void **state)
{
	const char *help, *key;
	size_t i;
	bool saw_net_type = false;

	for (i = 0; (key = config_native_key(i, &help)); i++) {
		assert_non_null(help);
		saw_net_type |= strcmp(key, "net.N.type") == 0;
	}
	assert_true(i > 30);
	assert_true(saw_net_type);
}

/* --- to_spec ------------------------------------------------------------ */

static void compiles_to_a_system_container(void **state)
{
	struct spec *s = to_spec_ok(ROOT);
	static const int namespaces[] = {CLONE_NEWPID, CLONE_NEWNS,	CLONE_NEWUTS, CLONE_NEWIPC,
					 CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWUSER};
	uint64_t caps = s->process.caps.bounding;

	assert_string_equal(s->root_path, "/srv/web");
	assert_string_equal(s->hostname, "web");
	assert_int_equal(s->linux.n_namespaces, ARRAY_SIZE(namespaces));
	for (size_t i = 0; i < ARRAY_SIZE(namespaces); i++)
		assert_non_null(spec_find_namespace(s, namespaces[i]));
	assert_int_equal(s->linux.n_uid_mappings, 1);
	assert_int_equal(s->linux.uid_mappings[0].host_id, 100000);
	assert_int_equal(s->linux.gid_mappings[0].size, 65536);
	assert_string_equal(s->process.args[0], "/sbin/init");
	assert_null(s->process.args[1]);
	assert_true(s->process.terminal);
	assert_string_equal(s->process.cwd, "/");
	assert_false(s->process.no_new_privileges);
	assert_true(s->process.has_caps);
	assert_true(has_cap(caps, "sys_admin"));
	assert_true(has_cap(caps, "net_admin"));
	assert_false(has_cap(caps, "sys_module"));
	assert_false(has_cap(caps, "sys_rawio"));
	assert_false(has_cap(caps, "sys_time"));
	assert_false(has_cap(caps, "mac_admin"));
	assert_false(has_cap(caps, "mac_override"));
	assert_int_equal(s->process.caps.effective, caps);
	assert_int_equal(s->process.caps.inheritable, 0);
	assert_non_null(s->linux.seccomp);
	spec_free(s);
}

static void mounts_what_an_init_expects(void **state)
{
	struct spec *s = to_spec_ok(ROOT "mount = /srv/data /data none rbind,ro\n");
	static const char *const dests[] = {
	    "/proc",	   "/sys",	     "/dev", "/dev/pts",  "/dev/shm",
	    "/dev/mqueue", "/sys/fs/cgroup", "/run", "/run/lock", "/data"};
	const struct spec_mount *m;

	assert_int_equal(s->n_mounts, ARRAY_SIZE(dests));
	for (size_t i = 0; i < ARRAY_SIZE(dests); i++)
		assert_string_equal(s->mounts[i].destination, dests[i]);
	m = find_mount(s, "/sys");
	assert_true(m->flags & MS_RDONLY);
	m = find_mount(s, "/sys/fs/cgroup");
	/* The unified hierarchy alone, writable, on every host: systemd's
	 * unified mode. */
	assert_string_equal(m->type, "cgroup2");
	assert_false(m->flags & MS_RDONLY);
	m = find_mount(s, "/run");
	assert_string_equal(m->type, "tmpfs");
	m = find_mount(s, "/dev/pts");
	assert_string_equal(m->data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	m = find_mount(s, "/data");
	assert_true(m->bind);
	assert_int_equal(m->flags & (MS_BIND | MS_REC | MS_RDONLY), MS_BIND | MS_REC | MS_RDONLY);
	assert_string_equal(m->source, "/srv/data");
	assert_string_equal(s->linux.masked_paths[0], "/proc/acpi");
	assert_true(strv_len(s->linux.readonly_paths) == 5);
	spec_free(s);
}

static void sets_environment_with_container_ctr(void **state)
{
	struct spec *s = to_spec_ok(ROOT "env = TERM=xterm\nenv = LANG=C.UTF-8\n"
					 "init = /bin/busybox init\nhostname = box\ncwd = /root\n");
	char **env = s->process.env;

	assert_string_equal(env[0],
			    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(env[1], "TERM=xterm");
	assert_string_equal(env[2], "container=ctr");
	assert_string_equal(env[3], "LANG=C.UTF-8");
	assert_null(env[4]);
	assert_string_equal(s->process.args[1], "init");
	assert_string_equal(s->hostname, "box");
	assert_string_equal(s->process.cwd, "/root");
	spec_free(s);
}

static void converts_limits_to_resources(void **state)
{
	struct spec *s = to_spec_ok(ROOT "limits.memory = 512M\n"
					 "limits.memory.swap = 256M\n"
					 "limits.memory.high = 384M\n"
					 "limits.cpu = 1.5\n"
					 "limits.cpu.weight = 100\n"
					 "limits.cpuset = 0-1\n"
					 "limits.pids = max\n"
					 "limits.io.weight = 10000\n");
	const struct spec_resources *r = &s->linux.resources;

	assert_true(s->linux.has_resources);
	assert_true(r->has_memory_limit);
	assert_int_equal(r->memory_limit, INT64_C(512) << 20);
	assert_int_equal(r->memory_swap, INT64_C(768) << 20); /* memory plus swap */
	assert_int_equal(r->n_unified, 1);
	assert_string_equal(r->unified[0].key, "memory.high");
	assert_string_equal(r->unified[0].value, "402653184");
	assert_int_equal(r->cpu_quota, 150000);
	assert_int_equal(r->cpu_period, 100000);
	/* The weight survives the cgroup drivers' shares conversion. */
	assert_int_equal(1 + ((r->cpu_shares - 2) * 9999) / 262142, 100);
	assert_string_equal(r->cpuset_cpus, "0-1");
	assert_true(r->has_pids_limit);
	assert_int_equal(r->pids_limit, -1);
	assert_int_equal(r->blkio_weight, 1000);
	assert_false(r->devices[0].allow);
	assert_int_equal(r->devices[0].type, 'a');
	spec_free(s);
}

static void privileged_drops_the_user_namespace_and_confinement(void **state)
{
	struct spec *s = to_spec_ok(ROOT "privileged = true\n");

	assert_null(spec_find_namespace(s, CLONE_NEWUSER));
	assert_non_null(spec_find_namespace(s, CLONE_NEWPID));
	assert_int_equal(s->linux.n_uid_mappings, 0);
	/* Every capability this process can hand on, and no other. */
	for (int cap = 0; cap <= cap_table_last(); cap++)
		assert_int_equal(!!(s->process.caps.bounding & (UINT64_C(1) << cap)),
				 prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1);
	assert_null(s->linux.masked_paths);
	assert_null(s->linux.seccomp);
	assert_false(find_mount(s, "/sys")->flags & MS_RDONLY);
	spec_free(s);
}

static void idmap_none_keeps_the_confinement(void **state)
{
	struct spec *s = to_spec_ok(ROOT "idmap = none\ncapabilities.drop = net_raw\n");

	assert_null(spec_find_namespace(s, CLONE_NEWUSER));
	assert_false(has_cap(s->process.caps.bounding, "sys_module"));
	assert_false(has_cap(s->process.caps.bounding, "net_raw"));
	assert_true(has_cap(s->process.caps.bounding, "sys_admin"));
	assert_non_null(s->linux.masked_paths);
	assert_non_null(s->linux.seccomp);
	spec_free(s);
}

static void keep_replaces_the_default_capability_set(void **state)
{
	struct spec *s = to_spec_ok(ROOT "capabilities.keep = chown kill sys_time\n"
					 "capabilities.drop = kill\n");

	assert_int_equal(s->process.caps.bounding, (UINT64_C(1) << cap_from_name("chown")) |
						       (UINT64_C(1) << cap_from_name("sys_time")));
	spec_free(s);
}

static void host_and_named_network_namespaces(void **state)
{
	struct spec *s = to_spec_ok(ROOT "net.0.type = host\n");

	assert_null(spec_find_namespace(s, CLONE_NEWNET));
	spec_free(s);
	s = to_spec_ok(ROOT "net.0.type = netns\nnet.0.link = blue\n");
	assert_string_equal(spec_find_namespace(s, CLONE_NEWNET)->path, "/run/netns/blue");
	spec_free(s);
	s = to_spec_ok(ROOT "net.0.type = veth\n");
	assert_null(spec_find_namespace(s, CLONE_NEWNET)->path);
	spec_free(s);
}

static void idmap_mount_option_takes_the_container_range(void **state)
{
	struct spec *s = to_spec_ok(ROOT "mount = /srv/data /data none bind,idmap\n");
	const struct spec_mount *m = find_mount(s, "/data");

	assert_true(m->idmap);
	assert_int_equal(m->n_uid_mappings, 1);
	assert_int_equal(m->uid_mappings[0].host_id, 100000);
	spec_free(s);
	to_spec_fails(ROOT "idmap = none\nmount = /srv/data /data none bind,idmap\n", &defaults,
		      "web/config: mount /data: option idmap needs a user namespace");
}

static void resolves_the_root(void **state)
{
	struct native_defaults d = defaults;
	struct spec *s = to_spec_ok("rootfs = rootfs\n");

	assert_string_equal(s->root_path, "/var/lib/ctr/containers/web/rootfs");
	spec_free(s);
	to_spec_fails("image = debian\n", &defaults,
		      "web/config: image debian: the store has not prepared a root for it");
	d.dir = NULL;
	to_spec_fails("rootfs = rootfs\n", &d,
		      "web/config: rootfs rootfs: relative, and no container directory");
}

static void user_namespace_needs_an_id_range(void **state)
{
	struct native_defaults d = defaults;

	d.n_uid_mappings = d.n_gid_mappings = 0;
	to_spec_fails(ROOT, &d,
		      "web/config: idmap = isolated: no subordinate id range for this container");
}

static void the_recorded_range_serves_when_the_front_end_gives_none(void **state)
{
	struct native_defaults d = defaults;
	struct ctr_error err = CTR_ERROR_INIT;
	struct native_config *c = parse_ok(ROOT "idmap.uid = 1065536\nidmap.gid = 2065536\n");
	struct spec *s = NULL;
	(void)state;

	d.n_uid_mappings = d.n_gid_mappings = 0;
	if (config_native_to_spec(c, &d, &s, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_int_equal(s->linux.n_uid_mappings, 1);
	assert_int_equal(s->linux.uid_mappings[0].container_id, 0);
	assert_int_equal(s->linux.uid_mappings[0].host_id, 1065536);
	assert_int_equal(s->linux.uid_mappings[0].size, 65536);
	assert_int_equal(s->linux.gid_mappings[0].host_id, 2065536);
	spec_free(s);
	native_config_free(c);
	/* What the front end passes wins. */
	s = to_spec_ok(ROOT "idmap.uid = 1065536\nidmap.gid = 2065536\n");
	assert_int_equal(s->linux.uid_mappings[0].host_id, 100000);
	spec_free(s);
	to_spec_fails(ROOT "idmap.uid = 1065536\n", &d,
		      "web/config: idmap.uid and idmap.gid: one without the other");
}

static void recorded_range_round_trips_and_must_fit(void **state)
{
	struct native_config *c = parse_ok(ROOT "idmap.uid = 1065536\nidmap.gid = 0\n");
	_cleanup_free_ char *text = config_native_format(c);
	(void)state;

	assert_non_null(strstr(text, "idmap.uid = 1065536\n"));
	assert_non_null(strstr(text, "idmap.gid = 0\n"));
	native_config_free(c);
	parse_fails(ROOT "idmap.uid = 4294901760\n",
		    "web/config:2: idmap.uid: expected a host id below 4294901759, not "
		    "'4294901760'");
	parse_fails(ROOT "idmap.gid = -1\n",
		    "web/config:2: idmap.gid: expected a host id below 4294901759, not '-1'");
}

static void user_must_be_mapped_in_the_user_namespace(void **state)
{
	struct spec *s = to_spec_ok(ROOT "user = 65535:65535\n");

	assert_int_equal(s->process.user.uid, 65535);
	spec_free(s);
	to_spec_fails(ROOT "user = 65536\n", &defaults,
		      "web/config: user: uid 65536 is not mapped in the container");
	s = to_spec_ok(ROOT "user = 65536\nidmap = none\n");
	assert_int_equal(s->process.user.uid, 65536);
	spec_free(s);
}

static void huge_swap_means_no_swap_limit(void **state)
{
	struct spec *s = to_spec_ok(ROOT "limits.memory = 4P\nlimits.memory.swap = 8190P\n");

	assert_int_equal(s->linux.resources.memory_swap, -1);
	spec_free(s);
}

static void reads_a_seccomp_profile_file(void **state)
{
	char path[] = "/tmp/ctr-native-test-XXXXXX";
	int fd = mkstemp(path);
	static const char profile[] = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
				      "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	char *text = xasprintf(ROOT "seccomp = %s\n", path);
	struct spec *s;

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, profile, strlen(profile)), 0);
	close(fd);
	s = to_spec_ok(text);
	assert_int_equal(s->linux.seccomp->n_rules, 1);
	assert_string_equal(s->linux.seccomp->rules[0].names[0], "read");
	spec_free(s);
	unlink(path);
	free(text);
	s = to_spec_ok(ROOT "seccomp = unconfined\n");
	assert_null(s->linux.seccomp);
	spec_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parses_every_scalar_key),
	    cmocka_unit_test(unset_keys_take_documented_defaults),
	    cmocka_unit_test(user_without_gid_means_gid_0),
	    cmocka_unit_test(skips_comments_and_blank_lines),
	    cmocka_unit_test(collects_repeated_env_and_mount_lines_in_order),
	    cmocka_unit_test(splits_init_like_a_shell),
	    cmocka_unit_test(collects_checkpoint_hooks_per_point_and_writes_them_back),
	    cmocka_unit_test(rejects_a_hook_that_is_not_an_absolute_path),
	    cmocka_unit_test(keeps_and_drops_capabilities_by_name),
	    cmocka_unit_test(parses_limits_with_units),
	    cmocka_unit_test(parses_interfaces_by_index),
	    cmocka_unit_test(suggests_the_nearest_key_for_a_typo),
	    cmocka_unit_test(reports_bad_values_with_their_line),
	    cmocka_unit_test(rejects_a_key_set_twice),
	    cmocka_unit_test(requires_exactly_one_of_rootfs_and_image),
	    cmocka_unit_test(rejects_privileged_with_a_user_namespace),
	    cmocka_unit_test(swap_limit_needs_a_memory_limit),
	    cmocka_unit_test(rejects_inconsistent_interfaces),
	    cmocka_unit_test(parses_sizes_with_binary_units),
	    cmocka_unit_test(parses_cpu_counts_into_a_quota),
	    cmocka_unit_test(parses_durations_in_seconds),
	    cmocka_unit_test(formats_units_in_their_shortest_exact_form),
	    cmocka_unit_test(formatted_config_parses_back_the_same),
	    cmocka_unit_test(writes_only_what_the_config_sets),
	    cmocka_unit_test(lists_every_key_with_help),
	    cmocka_unit_test(compiles_to_a_system_container),
	    cmocka_unit_test(mounts_what_an_init_expects),
	    cmocka_unit_test(sets_environment_with_container_ctr),
	    cmocka_unit_test(converts_limits_to_resources),
	    cmocka_unit_test(privileged_drops_the_user_namespace_and_confinement),
	    cmocka_unit_test(idmap_none_keeps_the_confinement),
	    cmocka_unit_test(keep_replaces_the_default_capability_set),
	    cmocka_unit_test(host_and_named_network_namespaces),
	    cmocka_unit_test(idmap_mount_option_takes_the_container_range),
	    cmocka_unit_test(resolves_the_root),
	    cmocka_unit_test(user_namespace_needs_an_id_range),
	    cmocka_unit_test(the_recorded_range_serves_when_the_front_end_gives_none),
	    cmocka_unit_test(recorded_range_round_trips_and_must_fit),
	    cmocka_unit_test(user_must_be_mapped_in_the_user_namespace),
	    cmocka_unit_test(huge_swap_means_no_swap_limit),
	    cmocka_unit_test(reads_a_seccomp_profile_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
