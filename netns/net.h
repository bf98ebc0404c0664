/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net.h - the network of a system container, from its native config
 * (net.N.*, net.dns, net.hosts; ctr-config(5)).
 *
 * Two halves, so the part that takes locks and may wait runs before the
 * clone and the part on the start's critical path is a few netlink calls:
 *
 *   net_prepare()    on the host, before the clone: the bridges exist, are
 *                    up and carry their address (net/bridge.c), every veth
 *                    has its address (a lease in STORE/net/BRIDGE.leases,
 *                    net/ipam.c), NAT is installed where asked (net/nat.c).
 *                    Fills a plan; nothing in it needs the container.
 *   net_configure()  the launcher's netns hook (create_opts.netns_setup):
 *                    in the new netns of pid, lo up, then per interface a
 *                    veth whose peer is created inside with its final name
 *                    (never created on the host and moved), or a macvlan
 *                    created inside; MAC, MTU, addresses, default routes.
 *
 * Types host and netns need no hook (the spec has no / a joined network
 * namespace). Nothing is removed when a container stops: the kernel deletes
 * the veth with the namespace. Leases stay until net_release (destroy), so
 * a container keeps its address across restarts; a lease whose container
 * no longer exists in the store is freed by the next allocation.
 *
 * Host names: the host end of a veth is "ctrv" + 10 hex digits of a hash of
 * (store, container, N); the MAC inside is 02:xx:.. from the same hash
 * unless net.N.hwaddr says otherwise. Both are stable across restarts.
 */
#ifndef CTR_NETNS_NET_H
#define CTR_NETNS_NET_H

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config_native.h"
#include "error.h"
#include "spec.h"

#define NET_HOST_VETH_PREFIX "ctrv"

/* One interface as it will be made. */
struct net_iface {
	unsigned int index; /* N */
	enum native_net_type type;
	char name[IFNAMSIZ];	  /* inside the container */
	char host_name[IFNAMSIZ]; /* veth: the host end */
	char link[IFNAMSIZ];	  /* veth: bridge; macvlan: host device */
	int link_index;		  /* veth: the bridge's ifindex, known since prepare */
	uint8_t hwaddr[6];
	unsigned int mtu; /* 0: the kernel's */
	bool has_ipv4, has_ipv4_gateway, has_ipv6, has_ipv6_gateway;
	struct in_addr ipv4, ipv4_gateway;
	unsigned int ipv4_prefix;
	struct in6_addr ipv6, ipv6_gateway;
	unsigned int ipv6_prefix;
};

struct net_plan {
	bool own_netns; /* false for host and netns: nothing to configure */
	struct net_iface *ifaces;
	size_t n_ifaces;
};

/* Host side, before the clone. store_root holds the leases; name is the
 * container. Returns 0 or -errno ("net.0: ...": which interface). */
int net_prepare(const char *store_root, const char *name, const struct native_config *c,
		struct net_plan **out, struct ctr_error *err);
void net_plan_free(struct net_plan *p);

/* The launcher hook: data is a struct net_plan. Configures the network
 * namespace of pid (which the caller created). */
int net_configure(void *data, pid_t pid, struct ctr_error *err);

/* /etc/resolv.conf (net.dns) and /etc/hosts (net.hosts) written into the
 * root the container starts from (spec root.path: its rootfs, or its
 * overlay's upper directory), replacing what is there. hostname: the
 * container's. Nothing when the config asks for neither. */
int net_write_files(const struct net_plan *p, const struct native_config *c, const char *hostname,
		    const char *root, struct ctr_error *err);

/* Destroy: drop every lease of the container; the NAT of a bridge none of
 * whose leases asks for it any more is removed. A container without leases
 * is success. */
int net_release(const char *store_root, const char *name, struct ctr_error *err);

/* What a killed runtime may leave: leases of containers that no longer
 * exist in the store are dropped, and the NAT of a bridge no lease asks
 * for any more is removed. The next start on each bridge checks its
 * addresses again (a start on a bridge ctr already set up does not). (A host veth end left over is removed by the
 * container's next start, which owns its name.) */
int net_prune(const char *store_root, struct ctr_error *err);

/* Every lease of the store, for `ctr net leases`. */
struct net_lease {
	char bridge[IFNAMSIZ];
	char address[INET_ADDRSTRLEN];
	char *container;
	unsigned int index;
	bool is_static, nat;
};
int net_list_leases(const char *store_root, struct net_lease **out, size_t *n,
		    struct ctr_error *err);
void net_leases_free(struct net_lease *v, size_t n);

/* Checkpoint and restore (netns/criu_net.c). CRIU dumps a container's
 * network namespace with its interfaces, addresses and routes. At restore
 * the veths cannot be made from inside a user namespace of the
 * container's, so ctr makes each pair on the host as a start would name
 * it, and criu moves the peer in, giving it back its name, MAC, MTU and
 * addresses. ctr's half of criu's network lock: while criu dumps, and
 * until a restored container runs, the host ends are off their bridges
 * (up all the same: a peer without carrier would have its routes dumped
 * "linkdown", which restore refuses).
 *   net_criu_externals()  those pairs made, off the bridge, and criu's
 *                         externals naming them ("netdev[eth0]:ctrr01..."),
 *                         NULL-terminated; pairs left over are deleted.
 *   net_criu_attach()     the host ends put on their bridges (unlock).
 *   net_criu_undo()       the pairs deleted again (a failed restore).
 *   net_host_links()      the host ends of the veths of a running
 *                         container taken off (lock) or put back on
 *                         (unlock) their bridges. */
int net_criu_externals(const struct net_plan *p, char ***out, struct ctr_error *err);
int net_criu_attach(const struct net_plan *p, struct ctr_error *err);
void net_criu_undo(const struct net_plan *p);
int net_host_links(const char *store_root, const char *name, const struct native_config *c,
		   bool attach, struct ctr_error *err);

/* Exposed for tests: the stable names of interface index of container
 * name in store_root. */
void net_host_veth_name(const char *store_root, const char *name, unsigned int index,
			char out[IFNAMSIZ]);
void net_default_hwaddr(const char *store_root, const char *name, unsigned int index,
			uint8_t out[6]);

#endif
