/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * veth.c - net_configure: the interfaces of a new network namespace,
 * made from the launcher's parent between clone and the init's release.
 *
 * Every link is created with IFLA_NET_NS_FD on the part that lives in the
 * container, already carrying its final name, MAC and MTU: one
 * RTM_NEWLINK per interface. Creating on the host and moving costs a
 * second device registration (~15 ms here); renaming inside costs another
 * request. Addresses and routes then go through a socket opened inside.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/veth.h>

#include "netns/net.h"
#include "netns/nl.h"
#include "util.h"

/* Name, MAC, MTU, and the namespace it is created in. Not IFF_UP: a veth
 * peer asked up in its creation request fails with ENOTCONN (6.18), so it
 * goes up from inside, where its ifindex is looked up anyway. */
static void describe_inside(struct rtnl_link *l, const struct net_iface *i, int nsfd)
{
	struct nl_addr *mac = nl_addr_build(AF_LLC, i->hwaddr, sizeof(i->hwaddr));

	if (!mac)
		abort();
	rtnl_link_set_name(l, i->name);
	rtnl_link_set_addr(l, mac);
	nl_addr_put(mac);
	if (i->mtu)
		rtnl_link_set_mtu(l, i->mtu);
	rtnl_link_set_ns_fd(l, nsfd);
}

static int add_veth(struct nl_sock *host, const struct net_iface *i, int nsfd,
		    struct ctr_error *err)
{
	struct rtnl_link *l = rtnl_link_veth_alloc(), *peer;
	int ret;

	if (!l)
		abort();
	peer = rtnl_link_veth_get_peer(l);
	describe_inside(peer, i, nsfd);
	rtnl_link_put(peer); /* get_peer took a reference; l keeps its own */
	rtnl_link_set_name(l, i->host_name);
	rtnl_link_set_master(l, i->link_index);
	if (i->mtu)
		rtnl_link_set_mtu(l, i->mtu);
	rtnl_link_set_flags(l, IFF_UP);
	ret = rtnl_link_add(host, l, NLM_F_CREATE | NLM_F_EXCL);
	if (ret == -NLE_EXIST) {
		/* A host end left by a runtime killed mid-start whose namespace
		 * something still holds: the name is this container's alone. */
		int r = nlx_link_delete(host, i->host_name, err);

		if (r < 0) {
			rtnl_link_veth_release(l);
			return r;
		}
		ret = rtnl_link_add(host, l, NLM_F_CREATE | NLM_F_EXCL);
	}
	rtnl_link_veth_release(l);
	return ret < 0 ? nlx_error(err, ret, "create veth %s (%s inside)", i->host_name, i->name)
		       : 0;
}

static int add_macvlan(struct nl_sock *host, const struct net_iface *i, int nsfd,
		       struct ctr_error *err)
{
	struct rtnl_link *l = rtnl_link_macvlan_alloc();
	int dev, ret;

	if (!l)
		abort();
	dev = nlx_ifindex(host, i->link, err);
	if (dev < 0) {
		rtnl_link_put(l);
		return dev;
	}
	describe_inside(l, i, nsfd);
	rtnl_link_set_link(l, dev);
	rtnl_link_macvlan_set_mode(l, rtnl_link_macvlan_str2mode("bridge"));
	ret = rtnl_link_add(host, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(l);
	return ret < 0 ? nlx_error(err, ret, "create macvlan %s on %s", i->name, i->link) : 0;
}

/* Up, addresses and default routes, inside. */
static int address_inside(struct nl_sock *in, const struct net_iface *i, struct ctr_error *err)
{
	int index = nlx_ifindex(in, i->name, err), ret = 0;

	if (index < 0)
		return index;
	ret = nlx_link_up(in, index, err);
	if (ret == 0 && i->has_ipv4)
		ret = nlx_addr_add(in, index, AF_INET, &i->ipv4, i->ipv4_prefix, false, err);
	if (ret == 0 && i->has_ipv6)
		ret = nlx_addr_add(in, index, AF_INET6, &i->ipv6, i->ipv6_prefix, false, err);
	if (ret == 0 && i->has_ipv4_gateway)
		ret = nlx_default_route(in, index, AF_INET, &i->ipv4_gateway, err);
	if (ret == 0 && i->has_ipv6_gateway)
		ret = nlx_default_route(in, index, AF_INET6, &i->ipv6_gateway, err);
	return ret;
}

static int configure_iface(struct nl_sock *host, struct nl_sock *in, const struct net_iface *i,
			   int nsfd, struct ctr_error *err)
{
	int ret = i->type == NATIVE_NET_VETH ? add_veth(host, i, nsfd, err)
					     : add_macvlan(host, i, nsfd, err);

	if (ret == 0)
		ret = address_inside(in, i, err);
	return ret < 0 ? ctr_error_prefix(err, "net.%u", i->index) : 0;
}

int net_configure(void *data, pid_t pid, struct ctr_error *err)
{
	const struct net_plan *p = data;
	struct nl_sock *host = NULL, *in = NULL;
	_cleanup_close_ int nsfd = -1;
	char path[64];
	int ret;

	if (!p || !p->own_netns)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return ctr_errno(err, "open network namespace of pid %d", (int)pid);
	ret = nlx_open_in(nsfd, &in, err);
	/* lo is ifindex 1 in every new namespace. */
	if (ret == 0)
		ret = nlx_link_up(in, 1, err);
	if (ret == 0 && p->n_ifaces)
		ret = nlx_open(&host, err);
	for (size_t k = 0; ret == 0 && k < p->n_ifaces; k++)
		ret = configure_iface(host, in, &p->ifaces[k], nsfd, err);
	nlx_close(in);
	nlx_close(host);
	return ret < 0 ? ctr_error_prefix(err, "network") : 0;
}
