/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nl.c - libnl-3 route sockets and the small requests netns/ makes.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "netns/nl.h"
#include "util.h"

static const struct {
	int nle;
	int err;
} nle_errnos[] = {
    {NLE_EXIST, EEXIST},
    {NLE_OBJ_NOTFOUND, ENODEV},
    {NLE_NODEV, ENODEV},
    {NLE_PERM, EPERM},
    {NLE_INVAL, EINVAL},
    {NLE_BUSY, EBUSY},
    {NLE_NOMEM, ENOMEM},
    {NLE_RANGE, ERANGE},
    {NLE_OPNOTSUPP, EOPNOTSUPP},
    {NLE_NOADDR, EADDRNOTAVAIL},
    {NLE_AF_NOSUPPORT, EAFNOSUPPORT},
    {NLE_NOACCESS, EACCES},
};

int nlx_errno(int nlerr)
{
	for (size_t i = 0; i < ARRAY_SIZE(nle_errnos); i++)
		if (nle_errnos[i].nle == -nlerr)
			return nle_errnos[i].err;
	return EIO;
}

int nlx_error(struct ctr_error *err, int nlerr, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ctr_error(err, nlx_errno(nlerr), "%s: %s", what, nl_geterror(nlerr));
}

int nlx_open(struct nl_sock **sk, struct ctr_error *err)
{
	struct nl_sock *s = nl_socket_alloc();
	int ret;

	if (!s)
		return ctr_error(err, ENOMEM, "allocate netlink socket");
	ret = nl_connect(s, NETLINK_ROUTE);
	if (ret < 0) {
		nl_socket_free(s);
		return nlx_error(err, ret, "connect netlink socket");
	}
	/* The socket is one of the fds a container must not inherit. */
	fcntl(nl_socket_get_fd(s), F_SETFD, FD_CLOEXEC);
	*sk = s;
	return 0;
}

int nlx_open_in(int netns_fd, struct nl_sock **sk, struct ctr_error *err)
{
	_cleanup_close_ int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int ret;

	if (own < 0)
		return ctr_errno(err, "open own network namespace");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return ctr_errno(err, "enter container network namespace");
	ret = nlx_open(sk, err);
	/* Without the way back the runtime would go on in the container's
	 * network: nothing sane is left to do. */
	if (setns(own, CLONE_NEWNET) < 0)
		abort();
	return ret;
}

void nlx_close(struct nl_sock *sk)
{
	if (sk)
		nl_socket_free(sk);
}

int nlx_ifindex(struct nl_sock *sk, const char *name, struct ctr_error *err)
{
	struct rtnl_link *link = NULL;
	int ret = rtnl_link_get_kernel(sk, 0, name, &link);

	if (ret < 0)
		return nlx_error(err, ret, "find interface %s", name);
	ret = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return ret;
}

/* One RTM_NEWLINK change to the link at ifindex (change is consumed). */
static int link_change(struct nl_sock *sk, int ifindex, struct rtnl_link *change)
{
	struct rtnl_link *orig = rtnl_link_alloc();
	int ret;

	if (!orig)
		abort();
	rtnl_link_set_ifindex(orig, ifindex);
	ret = rtnl_link_change(sk, orig, change, 0);
	rtnl_link_put(orig);
	rtnl_link_put(change);
	return ret;
}

static struct rtnl_link *new_change(void)
{
	struct rtnl_link *l = rtnl_link_alloc();

	if (!l)
		abort();
	return l;
}

int nlx_link_up(struct nl_sock *sk, int ifindex, struct ctr_error *err)
{
	struct rtnl_link *change = new_change();
	int ret;

	rtnl_link_set_flags(change, IFF_UP);
	ret = link_change(sk, ifindex, change);
	return ret < 0 ? nlx_error(err, ret, "set interface %d up", ifindex) : 0;
}

int nlx_link_set_master(struct nl_sock *sk, int ifindex, int master, struct ctr_error *err)
{
	struct rtnl_link *change = new_change();
	int ret;

	rtnl_link_set_master(change, master);
	ret = link_change(sk, ifindex, change);
	return ret < 0 ? nlx_error(err, ret, "set the bridge of interface %d", ifindex) : 0;
}

int nlx_link_delete(struct nl_sock *sk, const char *name, struct ctr_error *err)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int ret;

	if (!link)
		abort();
	rtnl_link_set_name(link, name);
	ret = rtnl_link_delete(sk, link);
	rtnl_link_put(link);
	if (ret == -NLE_NODEV || ret == -NLE_OBJ_NOTFOUND)
		return 0;
	return ret < 0 ? nlx_error(err, ret, "delete interface %s", name) : 0;
}

static struct nl_addr *build_addr(int family, const void *addr, unsigned int prefix)
{
	struct nl_addr *a = nl_addr_build(
	    family, addr, family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr));
	if (!a)
		abort();
	nl_addr_set_prefixlen(a, (int)prefix);
	return a;
}

int nlx_addr_add(struct nl_sock *sk, int ifindex, int family, const void *addr, unsigned int prefix,
		 bool exist_ok, struct ctr_error *err)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = build_addr(family, addr, prefix);
	char text[INET6_ADDRSTRLEN];
	int ret;

	if (!a)
		abort();
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, family);
	rtnl_addr_set_local(a, local);
	if (family == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	ret = rtnl_addr_add(sk, a, 0);
	nl_addr_put(local);
	rtnl_addr_put(a);
	if (ret == -NLE_EXIST && exist_ok)
		return 0;
	if (ret < 0)
		return nlx_error(err, ret, "add address %s/%u",
				 inet_ntop(family, addr, text, sizeof(text)), prefix);
	return 0;
}

int nlx_default_route(struct nl_sock *sk, int ifindex, int family, const void *gateway,
		      struct ctr_error *err)
{
	static const struct in6_addr any;
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = build_addr(family, &any, 0);
	struct nl_addr *gw = build_addr(family, gateway, family == AF_INET ? 32 : 128);
	char text[INET6_ADDRSTRLEN];
	int ret;

	if (!r || !nh)
		abort();
	rtnl_route_set_family(r, (uint8_t)family);
	rtnl_route_set_dst(r, dst);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, RTPROT_BOOT);
	rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
	rtnl_route_nh_set_gateway(nh, gw);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(r, nh); /* r owns nh now */
	ret = rtnl_route_add(sk, r, NLM_F_CREATE);
	nl_addr_put(dst);
	nl_addr_put(gw);
	rtnl_route_put(r);
	if (ret < 0)
		return nlx_error(err, ret, "add default route via %s",
				 inet_ntop(family, gateway, text, sizeof(text)));
	return 0;
}
