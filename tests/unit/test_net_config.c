/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the network keys (runtime/config_native_net.c) and of what
 * netns/ derives from them without touching the host (names, MACs, files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include "config_native.h"
#include "netns/net.h"
#include "netns/net_internal.h"
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

static void parse_fails(const char *line, const char *expected)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct native_config *c = NULL;
	_cleanup_free_ char *text = xasprintf(ROOT "%s\n", line);

	if (config_native_parse(text, strlen(text), "web/config", &c, &err) == 0) {
		native_config_free(c);
		fail_msg("parsed '%s', expected: %s", line, expected);
	}
	assert_string_equal(err.msg, expected);
}

static void rejects_bad_addresses_where_they_are_read(void **state)
{
	parse_fails("net.0.type = veth\nnet.0.ipv4 = 10.0.3.300/24",
		    "web/config:3: net.0.ipv4: invalid address '10.0.3.300'");
	parse_fails("net.0.type = veth\nnet.0.ipv4 = 10.0.3.0/24",
		    "web/config:3: net.0.ipv4: '10.0.3.0/24' is the network or broadcast "
		    "address of its subnet");
	parse_fails("net.0.type = veth\nnet.0.ipv4 = 10.0.3.255/24",
		    "web/config:3: net.0.ipv4: '10.0.3.255/24' is the network or broadcast "
		    "address of its subnet");
	parse_fails("net.0.type = veth\nnet.0.ipv4 = 224.0.0.5/24",
		    "web/config:3: net.0.ipv4: '224.0.0.5/24' is not a unicast host address");
	parse_fails("net.0.type = veth\nnet.0.ipv4 = 127.0.0.5/8",
		    "web/config:3: net.0.ipv4: '127.0.0.5/8' is not a unicast host address");
	parse_fails("net.0.type = veth\nnet.0.ipv4 = 10.0.3.5/33",
		    "web/config:3: net.0.ipv4: prefix length must be 0 to 32, not '33'");
	parse_fails("net.0.type = veth\nnet.0.ipv6 = fd00::g/64",
		    "web/config:3: net.0.ipv6: invalid address 'fd00::g'");
}

static void rejects_a_bridge_name_over_15_characters(void **state)
{
	parse_fails("net.0.type = veth\nnet.0.link = ctrbr0123456789ab",
		    "web/config:3: net.0.link: interface name 'ctrbr0123456789ab' is longer "
		    "than 15 characters");
}

static void rejects_an_unknown_type(void **state)
{
	parse_fails("net.0.type = vxlan",
		    "web/config:2: net.0.type: expected veth, macvlan, none, host or netns, not "
		    "'vxlan'");
}

static void rejects_a_path_as_a_veths_bridge(void **state)
{
	parse_fails("net.0.type = veth\nnet.0.link = /run/netns/x",
		    "web/config:3: net.0.link: a veth's link is a bridge name, not a path");
}

static void rejects_a_gateway_outside_the_subnet(void **state)
{
	parse_fails("net.0.type = veth\nnet.0.ipv4 = 10.0.3.5/24\nnet.0.ipv4.gateway = 10.0.4.1",
		    "web/config:4: net.0.ipv4.gateway: not in the subnet of net.0.ipv4");
}

static void rejects_bad_bridge_settings(void **state)
{
	parse_fails("net.0.type = veth\nnet.0.bridge.ipv4 = 10.0.3.1/31",
		    "web/config:3: net.0.bridge.ipv4: prefix length must be 8 to 30, not 31");
	parse_fails("net.0.type = veth\nnet.0.bridge.nat = yes",
		    "web/config:3: net.0.bridge.nat: expected true or false, not 'yes'");
	parse_fails("net.0.type = macvlan\nnet.0.link = eth0\nnet.0.bridge.nat = true",
		    "web/config:4: net.0.bridge.nat: not used with net.0.type = macvlan");
}

static void rejects_bad_nameservers(void **state)
{
	parse_fails("net.dns = 1.2.3", "web/config:2: net.dns: invalid nameserver address '1.2.3'");
	parse_fails("net.dns = 1.1.1.1\nnet.dns = ::1\nnet.dns = 8.8.8.8\nnet.dns = 9.9.9.9",
		    "web/config:5: net.dns: at most 3 nameservers (resolv.conf reads no more)");
	parse_fails("net.hosts = 1", "web/config:2: net.hosts: expected true or false, not '1'");
}

static void network_keys_format_and_parse_back(void **state)
{
	struct native_config *c = parse_ok(ROOT "net.0.type = veth\n"
						"net.0.link = ctrbrT1\n"
						"net.0.bridge.ipv4 = 10.77.0.1/16\n"
						"net.0.bridge.nat = true\n"
						"net.dns = 10.77.0.1\n"
						"net.dns = fd00::1\n"
						"net.hosts = true\n");
	_cleanup_free_ char *text = config_native_format(c);
	struct native_config *back = parse_ok(text);
	char buf[INET_ADDRSTRLEN];

	assert_true(back->nets[0].has_bridge_ipv4 && back->nets[0].nat);
	assert_string_equal(inet_ntop(AF_INET, &back->nets[0].bridge_ipv4, buf, sizeof(buf)),
			    "10.77.0.1");
	assert_int_equal(back->nets[0].bridge_ipv4_prefix, 16);
	assert_int_equal(strv_len(back->dns), 2);
	assert_string_equal(back->dns[1], "fd00::1");
	assert_true(back->has_hosts && back->hosts);
	native_config_free(c);
	native_config_free(back);
}

static void host_veth_names_are_stable_short_and_distinct(void **state)
{
	char a[IFNAMSIZ], b[IFNAMSIZ], c[IFNAMSIZ], d[IFNAMSIZ];

	net_host_veth_name("/var/lib/ctr", "web", 0, a);
	net_host_veth_name("/var/lib/ctr", "web", 0, b);
	net_host_veth_name("/var/lib/ctr", "web", 1, c);
	net_host_veth_name("/var/lib/ctr2", "web", 0, d);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	assert_int_equal(strlen(a), 14);
	assert_memory_equal(a, NET_HOST_VETH_PREFIX, 4);
}

static void default_macs_are_stable_local_unicast(void **state)
{
	uint8_t a[6], b[6], c[6];

	net_default_hwaddr("/var/lib/ctr", "web", 0, a);
	net_default_hwaddr("/var/lib/ctr", "web", 0, b);
	net_default_hwaddr("/var/lib/ctr", "db", 0, c);
	assert_memory_equal(a, b, 6);
	assert_memory_not_equal(a, c, 6);
	assert_int_equal(a[0], 0x02);
}

static void bridges_get_their_own_unique_local_prefix(void **state)
{
	struct in6_addr a, b;
	char buf[INET6_ADDRSTRLEN];

	bridge_ula("ctrbr0", &a);
	bridge_ula("ctrbr1", &b);
	assert_memory_not_equal(&a, &b, sizeof(a));
	assert_memory_equal(inet_ntop(AF_INET6, &a, buf, sizeof(buf)), "fd63:7472:", 10);
}

static void nat_tables_have_safe_names(void **state)
{
	char t[40];

	nat_table_name("ctr-br.0", t, sizeof(t));
	assert_string_equal(t, "ctr_ctr_br_0");
}

static char *slurp(const char *dir, const char *file)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	char *text = NULL;

	if (read_file_at(AT_FDCWD, path, &text, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	return text;
}

static void writes_resolv_conf_and_hosts_into_the_root(void **state)
{
	char dir[] = "/tmp/ctr-test-netfiles-XXXXXX";
	struct ctr_error err = CTR_ERROR_INIT;
	struct native_config *c =
	    parse_ok(ROOT "net.dns = 10.0.3.1\nnet.dns = 9.9.9.9\nnet.hosts = true\n");
	struct net_iface iface = {.has_ipv4 = true};
	struct net_plan plan = {.own_netns = true, .ifaces = &iface, .n_ifaces = 1};
	_cleanup_free_ char *resolv = NULL, *hosts = NULL, *etc = NULL, *outside = NULL;
	_cleanup_free_ char *link = NULL, *target = NULL;

	inet_pton(AF_INET, "10.0.3.7", &iface.ipv4);
	assert_non_null(mkdtemp(dir));
	/* a fresh root without /etc gets one */
	assert_int_equal(net_write_files(&plan, c, "web", dir, &err), 0);
	resolv = slurp(dir, "etc/resolv.conf");
	hosts = slurp(dir, "etc/hosts");
	assert_non_null(strstr(resolv, "nameserver 10.0.3.1\nnameserver 9.9.9.9\n"));
	assert_non_null(strstr(hosts, "127.0.0.1\tlocalhost\n"));
	assert_non_null(strstr(hosts, "10.0.3.7\tweb\n"));
	/* a symlink in the rootfs is replaced, its target left alone */
	outside = xasprintf("%s/outside", dir);
	{
		FILE *f = fopen(outside, "w");

		assert_non_null(f);
		fputs("keep\n", f);
		fclose(f);
	}
	link = xasprintf("%s/etc/resolv.conf", dir);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(net_write_files(&plan, c, "web", dir, &err), 0);
	target = slurp(dir, "outside");
	assert_string_equal(target, "keep\n");
	etc = slurp(dir, "etc/resolv.conf");
	assert_non_null(strstr(etc, "nameserver 10.0.3.1\n"));
	native_config_free(c);
	{
		_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void writes_nothing_unless_asked(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct native_config *c = parse_ok(ROOT);

	assert_int_equal(net_write_files(NULL, c, "web", "/nonexistent", &err), 0);
	native_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rejects_bad_addresses_where_they_are_read),
	    cmocka_unit_test(rejects_a_bridge_name_over_15_characters),
	    cmocka_unit_test(rejects_an_unknown_type),
	    cmocka_unit_test(rejects_a_path_as_a_veths_bridge),
	    cmocka_unit_test(rejects_a_gateway_outside_the_subnet),
	    cmocka_unit_test(rejects_bad_bridge_settings),
	    cmocka_unit_test(rejects_bad_nameservers),
	    cmocka_unit_test(network_keys_format_and_parse_back),
	    cmocka_unit_test(host_veth_names_are_stable_short_and_distinct),
	    cmocka_unit_test(default_macs_are_stable_local_unicast),
	    cmocka_unit_test(bridges_get_their_own_unique_local_prefix),
	    cmocka_unit_test(nat_tables_have_safe_names),
	    cmocka_unit_test(writes_resolv_conf_and_hosts_into_the_root),
	    cmocka_unit_test(writes_nothing_unless_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
