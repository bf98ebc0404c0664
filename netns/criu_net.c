/* SPDX-License-Identifier: GPL-2.0-or-later */
/* criu_net.c - what checkpoint and restore need of the network (net.h). */
#include <stdio.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "net.h"
#include "net_internal.h"
#include "nl.h"
#include "util.h"

/* The peer's name on the host until criu moves it in: "ctrr" and the
 * host end's hash. */
static void peer_name(const struct net_iface *i, char out[IFNAMSIZ])
{
	snprintf(out, IFNAMSIZ, "ctrr%s", i->host_name + strlen(NET_HOST_VETH_PREFIX));
}

/* The pair on the host: our end up but on no bridge yet (net_criu_attach
 * puts it there once the container runs again), the peer beside it. A
 * pair left over by a killed restore or start goes first. */
static int make_pair(struct nl_sock *sk, const struct net_iface *i, const char *peer_as,
		     struct ctr_error *err)
{
	struct rtnl_link *l = rtnl_link_veth_alloc(), *peer;
	int ret;

	if (!l)
		abort();
	ret = nlx_link_delete(sk, i->host_name, err);
	if (ret == 0)
		ret = nlx_link_delete(sk, peer_as, err);
	if (ret < 0) {
		rtnl_link_veth_release(l);
		return ret;
	}
	peer = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(peer, peer_as);
	if (i->mtu)
		rtnl_link_set_mtu(peer, i->mtu);
	rtnl_link_put(peer);
	rtnl_link_set_name(l, i->host_name);
	if (i->mtu)
		rtnl_link_set_mtu(l, i->mtu);
	rtnl_link_set_flags(l, IFF_UP);
	ret = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_veth_release(l);
	return ret < 0 ? nlx_error(err, ret, "create veth %s for restore", i->host_name) : 0;
}

int net_criu_externals(const struct net_plan *p, char ***out, struct ctr_error *err)
{
	_cleanup_strv_ char **ext = NULL;
	struct nl_sock *sk = NULL;
	int ret = 0;

	for (size_t k = 0; p && k < p->n_ifaces && ret == 0; k++) {
		const struct net_iface *i = &p->ifaces[k];
		_cleanup_free_ char *e = NULL;
		char peer[IFNAMSIZ];

		if (i->type != NATIVE_NET_VETH)
			continue;
		if (!sk && (ret = nlx_open(&sk, err)) < 0)
			break;
		peer_name(i, peer);
		ret = make_pair(sk, i, peer, err);
		e = xasprintf("netdev[%s]:%s", i->name, peer);
		strv_append(&ext, e);
	}
	if (ret < 0)
		net_criu_undo(p);
	nlx_close(sk);
	if (ret == 0)
		*out = steal_ptr(ext);
	return ret;
}

void net_criu_undo(const struct net_plan *p)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct nl_sock *sk = NULL;

	if (nlx_open(&sk, &ignored) < 0)
		return;
	for (size_t k = 0; p && k < p->n_ifaces; k++)
		if (p->ifaces[k].type == NATIVE_NET_VETH)
			nlx_link_delete(sk, p->ifaces[k].host_name, &ignored);
	nlx_close(sk);
}

int net_criu_attach(const struct net_plan *p, struct ctr_error *err)
{
	struct nl_sock *sk = NULL;
	int ret = 0;

	for (size_t k = 0; p && k < p->n_ifaces && ret == 0; k++) {
		const struct net_iface *i = &p->ifaces[k];
		int index;

		if (i->type != NATIVE_NET_VETH)
			continue;
		if (!sk && (ret = nlx_open(&sk, err)) < 0)
			break;
		index = nlx_ifindex(sk, i->host_name, err);
		ret = index < 0 ? index : nlx_link_set_master(sk, index, i->link_index, err);
	}
	nlx_close(sk);
	return ret;
}

int net_host_links(const char *store_root, const char *name, const struct native_config *c,
		   bool attach, struct ctr_error *err)
{
	struct nl_sock *sk = NULL;
	int ret = 0;

	for (size_t k = 0; k < c->n_nets && ret == 0; k++) {
		const struct native_net *n = &c->nets[k];
		int index, bridge = 0;
		char host[IFNAMSIZ];

		if (n->type != NATIVE_NET_VETH)
			continue;
		if (!sk && (ret = nlx_open(&sk, err)) < 0)
			break;
		net_host_veth_name(store_root, name, n->index, host);
		index = nlx_ifindex(sk, host, err);
		if (index >= 0 && attach)
			bridge = nlx_ifindex(sk, n->link ? n->link : NATIVE_DEFAULT_BRIDGE, err);
		if (index < 0 || bridge < 0)
			ret = index < 0 ? index : bridge;
		else
			ret = nlx_link_set_master(sk, index, bridge, err);
	}
	nlx_close(sk);
	return ret;
}
