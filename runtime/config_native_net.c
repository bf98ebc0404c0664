/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_native_net.c - the interface keys net.N.*: read into struct
 * native_net (netns/ sets interfaces up from it; struct spec only learns
 * whether there is a network namespace), written back, and checked per
 * type once the whole file is read.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "config_native_internal.h"
#include "util.h"

#define IFNAME_MAX 15 /* IFNAMSIZ - 1 */

static const char *const type_words[] = {
    [NATIVE_NET_NONE] = "none", [NATIVE_NET_VETH] = "veth",   [NATIVE_NET_MACVLAN] = "macvlan",
    [NATIVE_NET_HOST] = "host", [NATIVE_NET_NETNS] = "netns",
};

struct native_net *native_net_get(struct native_config *c, unsigned int index)
{
	size_t at = 0;

	while (at < c->n_nets && c->nets[at].index < index)
		at++;
	if (at < c->n_nets && c->nets[at].index == index)
		return &c->nets[at];
	c->nets = xrealloc(c->nets, (c->n_nets + 1) * sizeof(*c->nets));
	memmove(&c->nets[at + 1], &c->nets[at], (c->n_nets - at) * sizeof(*c->nets));
	c->n_nets++;
	memset(&c->nets[at], 0, sizeof(*c->nets));
	c->nets[at].index = index;
	return &c->nets[at];
}

void native_net_free(struct native_net *n)
{
	free(n->link);
	free(n->name);
}

PARSE(type)
{
	for (size_t i = 1; i < ARRAY_SIZE(type_words); i++)
		if (strcmp(v, type_words[i]) == 0) {
			p->net->type = (enum native_net_type)i;
			return 0;
		}
	return native_fail(p, "expected veth, macvlan, none, host or netns, not '%s'", v);
}

FORMAT(type)
{
	if (n->type != NATIVE_NET_UNSET)
		native_put(out, key, "%s", type_words[n->type]);
}

/* What the kernel takes as an interface name. */
static bool valid_ifname(const char *s)
{
	return *s && strlen(s) <= IFNAME_MAX && !strpbrk(s, "/: \t") && strcmp(s, ".") != 0 &&
	       strcmp(s, "..") != 0;
}

/* An interface name, or for netns a name under /run/netns or a path. */
PARSE(link)
{
	if (v[0] != '/' && strlen(v) > IFNAME_MAX)
		return native_fail(p, "interface name '%s' is longer than %d characters", v,
				   IFNAME_MAX);
	if (!valid_ifname(v) && v[0] != '/')
		return native_fail(p, "invalid interface or namespace name '%s'", v);
	p->net->link = xstrdup(v);
	return 0;
}

FORMAT(link)
{
	if (n->link)
		native_put(out, key, "%s", n->link);
}

PARSE(name)
{
	if (!valid_ifname(v))
		return native_fail(p, "invalid interface name '%s' (at most %d characters, no '/')",
				   v, IFNAME_MAX);
	p->net->name = xstrdup(v);
	return 0;
}

FORMAT(name)
{
	if (n->name)
		native_put(out, key, "%s", n->name);
}

PARSE(hwaddr)
{
	uint8_t *a = p->net->hwaddr;
	unsigned int b[6];
	char end;

	if (strlen(v) != 17 || sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
				      &b[4], &b[5], &end) != 6)
		return native_fail(p, "expected a MAC address like 02:00:00:12:34:56, not '%s'", v);
	if (b[0] & 1)
		return native_fail(p, "'%s' is a multicast address", v);
	for (int i = 0; i < 6; i++)
		a[i] = (uint8_t)b[i];
	p->net->has_hwaddr = true;
	return 0;
}

FORMAT(hwaddr)
{
	const uint8_t *a = n->hwaddr;

	if (n->has_hwaddr)
		native_put(out, key, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4],
			   a[5]);
}

/* "ADDRESS/PREFIX" of one family. */
static int parse_cidr(struct native_parse *p, const char *v, int family, void *addr,
		      unsigned int *prefix)
{
	_cleanup_free_ char *copy = xstrdup(v);
	char *slash = strchr(copy, '/');
	unsigned int max = family == AF_INET ? 32 : 128;
	uint64_t n;

	if (!slash)
		return native_fail(p, "expected ADDRESS/PREFIX, not '%s'", v);
	*slash++ = '\0';
	if (inet_pton(family, copy, addr) != 1)
		return native_fail(p, "invalid address '%s'", copy);
	if (parse_u64(slash, &n) < 0 || n > max)
		return native_fail(p, "prefix length must be 0 to %u, not '%s'", max, slash);
	*prefix = (unsigned int)n;
	return 0;
}

static int parse_address(struct native_parse *p, const char *v, int family, void *addr)
{
	if (inet_pton(family, v, addr) != 1)
		return native_fail(p, "invalid address '%s'", v);
	return 0;
}

static void put_address(FILE *out, const char *key, int family, const void *addr,
			const unsigned int *prefix)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(family, addr, buf, sizeof(buf));
	if (prefix)
		native_put(out, key, "%s/%u", buf, *prefix);
	else
		native_put(out, key, "%s", buf);
}

/* An address a host can have in its subnet: not the network or broadcast
 * address, not 0/8, loopback, multicast or reserved. */
static int check_host_ipv4(struct native_parse *p, const char *v, struct in_addr a,
			   unsigned int prefix)
{
	uint32_t h = ntohl(a.s_addr);
	uint32_t host_mask = prefix >= 32 ? 0 : 0xffffffffu >> prefix;

	if ((h >> 24) == 0 || (h >> 24) == 127 || (h >> 28) >= 14)
		return native_fail(p, "'%s' is not a unicast host address", v);
	if (prefix < 31 && ((h & host_mask) == 0 || (h & host_mask) == host_mask))
		return native_fail(p, "'%s' is the network or broadcast address of its subnet", v);
	return 0;
}

PARSE(ipv4)
{
	p->net->has_ipv4 = true;
	if (parse_cidr(p, v, AF_INET, &p->net->ipv4, &p->net->ipv4_prefix) < 0)
		return -EINVAL;
	return check_host_ipv4(p, v, p->net->ipv4, p->net->ipv4_prefix);
}

FORMAT(ipv4)
{
	if (n->has_ipv4)
		put_address(out, key, AF_INET, &n->ipv4, &n->ipv4_prefix);
}

PARSE(ipv4_gateway)
{
	p->net->has_ipv4_gateway = true;
	return parse_address(p, v, AF_INET, &p->net->ipv4_gateway);
}

FORMAT(ipv4_gateway)
{
	if (n->has_ipv4_gateway)
		put_address(out, key, AF_INET, &n->ipv4_gateway, NULL);
}

PARSE(ipv6)
{
	p->net->has_ipv6 = true;
	return parse_cidr(p, v, AF_INET6, &p->net->ipv6, &p->net->ipv6_prefix);
}

FORMAT(ipv6)
{
	if (n->has_ipv6)
		put_address(out, key, AF_INET6, &n->ipv6, &n->ipv6_prefix);
}

PARSE(ipv6_gateway)
{
	p->net->has_ipv6_gateway = true;
	return parse_address(p, v, AF_INET6, &p->net->ipv6_gateway);
}

FORMAT(ipv6_gateway)
{
	if (n->has_ipv6_gateway)
		put_address(out, key, AF_INET6, &n->ipv6_gateway, NULL);
}

PARSE(bridge_ipv4)
{
	p->net->has_bridge_ipv4 = true;
	if (parse_cidr(p, v, AF_INET, &p->net->bridge_ipv4, &p->net->bridge_ipv4_prefix) < 0)
		return -EINVAL;
	/* Room for the bridge and at least one container. */
	if (p->net->bridge_ipv4_prefix < 8 || p->net->bridge_ipv4_prefix > 30)
		return native_fail(p, "prefix length must be 8 to 30, not %u",
				   p->net->bridge_ipv4_prefix);
	return check_host_ipv4(p, v, p->net->bridge_ipv4, p->net->bridge_ipv4_prefix);
}

FORMAT(bridge_ipv4)
{
	if (n->has_bridge_ipv4)
		put_address(out, key, AF_INET, &n->bridge_ipv4, &n->bridge_ipv4_prefix);
}

static int parse_flag(struct native_parse *p, const char *v, bool *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
		*out = strcmp(v, "true") == 0;
		return 0;
	}
	return native_fail(p, "expected true or false, not '%s'", v);
}

PARSE(bridge_nat)
{
	return parse_flag(p, v, &p->net->nat);
}

FORMAT(bridge_nat)
{
	if (n->nat)
		native_put(out, key, "true");
}

PARSE(mtu)
{
	uint64_t mtu;

	/* 68 is the IPv4 minimum; the kernel caps the rest per device. */
	if (parse_u64(v, &mtu) < 0 || mtu < 68 || mtu > 65535)
		return native_fail(p, "mtu must be 68 to 65535, not '%s'", v);
	p->net->mtu = (unsigned int)mtu;
	return 0;
}

FORMAT(mtu)
{
	if (n->mtu)
		native_put(out, key, "%u", n->mtu);
}

#define VETH_MACVLAN (NET_TYPE_BIT(NATIVE_NET_VETH) | NET_TYPE_BIT(NATIVE_NET_MACVLAN))
#define ANY_TYPE     0x3eu
#define NET(name, fn, types, help)                                                                 \
	{                                                                                          \
		"net.N." name, parse_##fn, format_##fn, false, types, help                         \
	}

const struct native_key native_net_keys[] = {
    NET("type", type, ANY_TYPE, "veth, macvlan, none, host or netns"),
    NET("link", link, VETH_MACVLAN | NET_TYPE_BIT(NATIVE_NET_NETNS),
	"veth: host bridge; macvlan: host device; netns: namespace name or path"),
    NET("name", name, VETH_MACVLAN, "interface name inside (default ethN)"),
    NET("hwaddr", hwaddr, VETH_MACVLAN, "MAC address inside"),
    NET("ipv4", ipv4, VETH_MACVLAN, "IPv4 ADDRESS/PREFIX"),
    NET("ipv4.gateway", ipv4_gateway, VETH_MACVLAN, "IPv4 default gateway"),
    NET("ipv6", ipv6, VETH_MACVLAN, "IPv6 ADDRESS/PREFIX"),
    NET("ipv6.gateway", ipv6_gateway, VETH_MACVLAN, "IPv6 default gateway"),
    NET("mtu", mtu, VETH_MACVLAN, "MTU (default: the kernel's)"),
    NET("bridge.ipv4", bridge_ipv4, NET_TYPE_BIT(NATIVE_NET_VETH),
	"bridge address and address pool, ADDRESS/PREFIX (default " NATIVE_BRIDGE_IPV4 ")"),
    NET("bridge.nat", bridge_nat, NET_TYPE_BIT(NATIVE_NET_VETH),
	"true: masquerade the bridge's subnet to the outside"),
};

const size_t native_n_net_keys = ARRAY_SIZE(native_net_keys);

/* The first line that names interface n, for messages about it as a whole. */
static unsigned int first_line(const struct native_parse *p, unsigned int index)
{
	unsigned int line = 0;

	for (size_t i = 0; i < p->n_seen; i++)
		if (p->seen[i].key->net_types && p->seen[i].net == index &&
		    (!line || p->seen[i].line < line))
			line = p->seen[i].line;
	return line;
}

static void at_key(struct native_parse *p, char *buf, size_t len, const struct native_net *n,
		   const char *suffix)
{
	char tmpl[64];

	snprintf(buf, len, "net.%u.%s", n->index, suffix);
	snprintf(tmpl, sizeof(tmpl), "net.N.%s", suffix);
	native_at(p, buf, native_seen_line(p, tmpl, n->index));
}

/* Every key set for the interface applies to its type. */
static int check_keys_fit_type(struct native_parse *p, const struct native_net *n)
{
	char key[64];

	for (size_t i = 0; i < p->n_seen; i++) {
		const struct native_key *k = p->seen[i].key;

		if (!k->net_types || p->seen[i].net != n->index ||
		    (k->net_types & NET_TYPE_BIT(n->type)))
			continue;
		at_key(p, key, sizeof(key), n, k->name + strlen("net.N."));
		return native_fail(p, "not used with net.%u.type = %s", n->index,
				   type_words[n->type]);
	}
	return 0;
}

static bool same_subnet(struct in_addr a, struct in_addr b, unsigned int prefix)
{
	uint32_t mask = prefix ? 0xffffffffu << (32 - prefix) : 0;

	return (ntohl(a.s_addr) & mask) == (ntohl(b.s_addr) & mask);
}

static int check_one(struct native_parse *p, const struct native_config *c,
		     const struct native_net *n)
{
	char key[64];
	bool sole =
	    n->type == NATIVE_NET_HOST || n->type == NATIVE_NET_NETNS || n->type == NATIVE_NET_NONE;

	if (n->type == NATIVE_NET_UNSET) {
		snprintf(key, sizeof(key), "net.%u", n->index);
		native_at(p, key, first_line(p, n->index));
		return native_fail(p, "net.%u.type is required", n->index);
	}
	if (check_keys_fit_type(p, n) < 0)
		return -EINVAL;
	at_key(p, key, sizeof(key), n, "type");
	if (sole && c->n_nets > 1)
		return native_fail(p, "%s must be the only interface", type_words[n->type]);
	if (!n->link && (n->type == NATIVE_NET_MACVLAN || n->type == NATIVE_NET_NETNS))
		return native_fail(p, "%s needs net.%u.link", type_words[n->type], n->index);
	if (n->has_ipv4_gateway && !n->has_ipv4) {
		at_key(p, key, sizeof(key), n, "ipv4.gateway");
		return native_fail(p, "needs net.%u.ipv4", n->index);
	}
	if (n->has_ipv6_gateway && !n->has_ipv6) {
		at_key(p, key, sizeof(key), n, "ipv6.gateway");
		return native_fail(p, "needs net.%u.ipv6", n->index);
	}
	if (n->type == NATIVE_NET_VETH && n->link && n->link[0] == '/') {
		at_key(p, key, sizeof(key), n, "link");
		return native_fail(p, "a veth's link is a bridge name, not a path");
	}
	if (n->has_ipv4_gateway && !same_subnet(n->ipv4, n->ipv4_gateway, n->ipv4_prefix)) {
		at_key(p, key, sizeof(key), n, "ipv4.gateway");
		return native_fail(p, "not in the subnet of net.%u.ipv4", n->index);
	}
	return 0;
}

static void effective_name(const struct native_net *n, char *buf, size_t len)
{
	if (n->name)
		snprintf(buf, len, "%s", n->name);
	else
		snprintf(buf, len, "eth%u", n->index);
}

static int check_names_unique(struct native_parse *p, const struct native_config *c)
{
	char a[32], b[32], key[64];

	for (size_t i = 1; i < c->n_nets; i++)
		for (size_t j = 0; j < i; j++) {
			effective_name(&c->nets[i], a, sizeof(a));
			effective_name(&c->nets[j], b, sizeof(b));
			if (strcmp(a, b) != 0)
				continue;
			at_key(p, key, sizeof(key), &c->nets[i], "name");
			if (!p->line)
				at_key(p, key, sizeof(key), &c->nets[i], "type");
			return native_fail(p, "'%s' is also the name of net.%u", a,
					   c->nets[j].index);
		}
	return 0;
}

int native_check_nets(struct native_parse *p)
{
	const struct native_config *c = p->c;

	for (size_t i = 0; i < c->n_nets; i++)
		if (check_one(p, c, &c->nets[i]) < 0)
			return -EINVAL;
	return check_names_unique(p, c);
}

/* ---- net.dns, net.hosts: files written into the container ---- */

PARSE(dns)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, v, &a4) != 1 && inet_pton(AF_INET6, v, &a6) != 1)
		return native_fail(p, "invalid nameserver address '%s'", v);
	if (strv_len(p->c->dns) >= 3)
		return native_fail(p, "at most 3 nameservers (resolv.conf reads no more)");
	strv_append(&p->c->dns, v);
	return 0;
}

FORMAT(dns)
{
	for (char **d = c->dns; d && *d; d++)
		native_put(out, key, "%s", *d);
}

PARSE(hosts)
{
	p->c->has_hosts = true;
	return parse_flag(p, v, &p->c->hosts);
}

FORMAT(hosts)
{
	if (c->has_hosts)
		native_put(out, key, "%s", c->hosts ? "true" : "false");
}

const struct native_key native_net_plain_keys[] = {
    {"net.dns", parse_dns, format_dns, true, 0,
     "nameserver written to /etc/resolv.conf inside (repeatable, at most 3)"},
    {"net.hosts", parse_hosts, format_hosts, false, 0,
     "true: write /etc/hosts inside (localhost, the hostname and its addresses)"},
};

const size_t native_n_net_plain_keys = ARRAY_SIZE(native_net_plain_keys);
