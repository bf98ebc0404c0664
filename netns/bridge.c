/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge.c - the host bridge containers' veths attach to.
 */
#include <fcntl.h>
#include <net/if.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>

#include "netns/net_internal.h"
#include "netns/nl.h"
#include "util.h"

uint64_t net_hash(const char *a, const char *b, unsigned int n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const char *parts[] = {a, b};

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		for (const char *s = parts[i]; *s; s++)
			h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
		h *= 0x100000001b3ull; /* the NUL: ("ab","c") differs from ("a","bc") */
	}
	for (int i = 0; i < 4; i++)
		h = (h ^ ((n >> (8 * i)) & 0xff)) * 0x100000001b3ull;
	return h;
}

void bridge_ula(const char *bridge, struct in6_addr *prefix)
{
	uint64_t h = net_hash("bridge", bridge, 0);

	memset(prefix, 0, sizeof(*prefix));
	prefix->s6_addr[0] = 0xfd;
	prefix->s6_addr[1] = 0x63; /* "ctr" */
	prefix->s6_addr[2] = 0x74;
	prefix->s6_addr[3] = 0x72;
	for (int i = 0; i < 4; i++)
		prefix->s6_addr[4 + i] = (uint8_t)(h >> (8 * i));
}

/* Create it up; another start may have won the race (we hold the lease
 * lock, but someone else's tools need not). */
static int create_bridge(struct nl_sock *sk, const char *name, struct ctr_error *err)
{
	struct rtnl_link *link = rtnl_link_bridge_alloc();
	int ret;

	if (!link)
		abort();
	rtnl_link_set_name(link, name);
	rtnl_link_set_flags(link, IFF_UP);
	ret = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	if (ret < 0 && ret != -NLE_EXIST)
		return nlx_error(err, ret, "create bridge %s", name);
	return 0;
}

static int bridge_index_up(struct nl_sock *sk, const char *name, struct ctr_error *err)
{
	struct rtnl_link *link = NULL;
	int ret = rtnl_link_get_kernel(sk, 0, name, &link), index;
	bool up;

	if (ret == -NLE_OBJ_NOTFOUND || ret == -NLE_NODEV) {
		ret = create_bridge(sk, name, err);
		if (ret < 0)
			return ret;
		ret = rtnl_link_get_kernel(sk, 0, name, &link);
	}
	if (ret < 0)
		return nlx_error(err, ret, "find bridge %s", name);
	if (!rtnl_link_get_type(link) || strcmp(rtnl_link_get_type(link), "bridge") != 0) {
		rtnl_link_put(link);
		return ctr_error(err, EINVAL, "%s exists and is not a bridge", name);
	}
	index = rtnl_link_get_ifindex(link);
	up = rtnl_link_get_flags(link) & IFF_UP;
	rtnl_link_put(link);
	if (!up && (ret = nlx_link_up(sk, index, err)) < 0)
		return ret;
	return index;
}

bool bridge_has_ipv6(const char *bridge)
{
	_cleanup_free_ char *knob = xasprintf("/proc/sys/net/ipv6/conf/%s/disable_ipv6", bridge);
	char v = '1';
	_cleanup_close_ int fd = open(knob, O_RDONLY | O_CLOEXEC);

	return fd >= 0 && read(fd, &v, 1) == 1 && v == '0';
}

int bridge_ensure(struct nl_sock *sk, const char *bridge, struct in_addr ipv4, unsigned int prefix,
		  int known, struct ctr_error *err)
{
	struct in6_addr ula;
	int index, ret;

	index = bridge_index_up(sk, bridge, err);
	if (index < 0 || index == known)
		return index;
	bridge_ula(bridge, &ula);
	ula.s6_addr[15] = 1;
	ret = nlx_addr_add(sk, index, AF_INET, &ipv4, prefix, true, err);
	if (ret == 0 && bridge_has_ipv6(bridge))
		ret = nlx_addr_add(sk, index, AF_INET6, &ula, 64, true, err);
	return ret < 0 ? ctr_error_prefix(err, "bridge %s", bridge) : index;
}
