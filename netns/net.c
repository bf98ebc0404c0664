/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net.c - the host half of a container's network (net_prepare: bridges,
 * leases, NAT), the stable names, and leases given back (net_release,
 * net_prune). The namespace half is veth.c, the files files.c.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <string.h>

#include "netns/ipam.h"
#include "netns/net.h"
#include "netns/net_internal.h"
#include "netns/nl.h"
#include "util.h"

#define LEASES_SUFFIX ".leases"

void net_host_veth_name(const char *store_root, const char *name, unsigned int index,
			char out[IFNAMSIZ])
{
	uint64_t h = net_hash(store_root, name, index);

	snprintf(out, IFNAMSIZ, NET_HOST_VETH_PREFIX "%010llx",
		 (unsigned long long)(h & 0xffffffffffull));
}

void net_default_hwaddr(const char *store_root, const char *name, unsigned int index,
			uint8_t out[6])
{
	uint64_t h = net_hash(name, store_root, index);

	out[0] = 0x02; /* locally administered, unicast */
	for (int i = 1; i < 6; i++)
		out[i] = (uint8_t)(h >> (8 * i));
}

void net_plan_free(struct net_plan *p)
{
	if (!p)
		return;
	free(p->ifaces);
	free(p);
}

/* A lease whose container is no longer in the store: destroyed by a
 * runtime that died before giving its addresses back. */
struct stale_ctx {
	const char *store_root;
	const char *self;
};

static bool container_gone(const char *name, void *data)
{
	const struct stale_ctx *s = data;
	_cleanup_free_ char *dir = NULL;

	if (s->self && strcmp(name, s->self) == 0)
		return false;
	dir = xasprintf("%s/containers/%s", s->store_root, name);
	return access(dir, F_OK) < 0 && errno == ENOENT;
}

static void pool_of(const struct native_net *n, struct ipam_pool *pool)
{
	if (n->has_bridge_ipv4) {
		pool->bridge = n->bridge_ipv4;
		pool->prefix = n->bridge_ipv4_prefix;
	} else {
		inet_pton(AF_INET, "10.0.3.1", &pool->bridge);
		pool->prefix = 24;
	}
}

static bool in_subnet(struct in_addr a, const struct ipam_pool *pool)
{
	uint32_t mask = 0xffffffffu << (32 - pool->prefix);

	return (ntohl(a.s_addr) & mask) == (ntohl(pool->bridge.s_addr) & mask);
}

/* Under the bridge's lock: the bridge, the lease, NAT. */
static int lease_on_bridge(struct nl_sock *sk, const char *store_root, const char *name,
			   const struct native_net *n, const struct ipam_pool *pool,
			   struct in_addr *addr, int *bridge_index, struct ctr_error *err)
{
	struct stale_ctx stale = {store_root, name};
	struct ipam_file f;
	bool had_nat = false;
	int ret;

	ret = ipam_open(store_root, n->link ? n->link : NATIVE_DEFAULT_BRIDGE, &f, err);
	if (ret == 0)
		ret = bridge_ensure(sk, n->link ? n->link : NATIVE_DEFAULT_BRIDGE, pool->bridge,
				    pool->prefix, f.table.bridge_index, err);
	if (ret >= 0) {
		*bridge_index = f.table.bridge_index = ret;
		had_nat = ipam_wants_nat(&f.table);
		ipam_drop_if(&f.table, container_gone, &stale);
		ret = ipam_assign(&f.table, pool, name, n->index, n->has_ipv4 ? &n->ipv4 : NULL,
				  n->nat, addr, err);
	}
	if (ret == 0)
		ret = ipam_commit(&f, err);
	if (ret == 0 && n->nat)
		ret = nat_install(n->link ? n->link : NATIVE_DEFAULT_BRIDGE, pool->bridge,
				  pool->prefix, err);
	else if (ret == 0 && had_nat && !ipam_wants_nat(&f.table))
		ret = nat_remove(n->link ? n->link : NATIVE_DEFAULT_BRIDGE, err);
	ipam_close(&f);
	return ret;
}

/* IPv4 from the lease, IPv6 in the bridge's ULA with the same host part
 * (where the bridge has IPv6), both routed through the bridge unless the
 * config says otherwise. */
static int plan_veth(struct nl_sock *sk, const char *store_root, const char *name,
		     const struct native_net *n, struct net_iface *i, struct ctr_error *err)
{
	struct ipam_pool pool;
	struct in_addr a;
	int ret;

	pool_of(n, &pool);
	snprintf(i->link, sizeof(i->link), "%s", n->link ? n->link : NATIVE_DEFAULT_BRIDGE);
	net_host_veth_name(store_root, name, n->index, i->host_name);
	ret = lease_on_bridge(sk, store_root, name, n, &pool, &a, &i->link_index, err);
	if (ret < 0)
		return ret;
	i->has_ipv4 = true;
	i->ipv4 = a;
	i->ipv4_prefix = n->has_ipv4 ? n->ipv4_prefix : pool.prefix;
	if (!n->has_ipv4_gateway && in_subnet(a, &pool)) {
		i->has_ipv4_gateway = true;
		i->ipv4_gateway = pool.bridge;
	}
	if (!n->has_ipv6 && in_subnet(a, &pool) && bridge_has_ipv6(i->link)) {
		uint32_t host = ntohl(a.s_addr) & (0xffffffffu >> pool.prefix);

		bridge_ula(i->link, &i->ipv6);
		i->ipv6_gateway = i->ipv6;
		i->ipv6_gateway.s6_addr[15] = 1;
		for (int b = 0; b < 4; b++)
			i->ipv6.s6_addr[12 + b] = (uint8_t)(host >> (24 - 8 * b));
		i->has_ipv6 = true;
		i->ipv6_prefix = 64;
		i->has_ipv6_gateway = true;
	}
	return 0;
}

/* What the config says of an interface, before any lease. */
static void plan_from_config(const char *store_root, const char *name, const struct native_net *n,
			     struct net_iface *i)
{
	memset(i, 0, sizeof(*i));
	i->index = n->index;
	i->type = n->type;
	if (n->name)
		snprintf(i->name, sizeof(i->name), "%s", n->name);
	else
		snprintf(i->name, sizeof(i->name), "eth%u", n->index);
	if (n->link && n->type == NATIVE_NET_MACVLAN)
		snprintf(i->link, sizeof(i->link), "%s", n->link);
	if (n->has_hwaddr)
		memcpy(i->hwaddr, n->hwaddr, sizeof(i->hwaddr));
	else
		net_default_hwaddr(store_root, name, n->index, i->hwaddr);
	i->mtu = n->mtu;
	i->has_ipv4 = n->has_ipv4;
	i->ipv4 = n->ipv4;
	i->ipv4_prefix = n->ipv4_prefix;
	i->has_ipv4_gateway = n->has_ipv4_gateway;
	i->ipv4_gateway = n->ipv4_gateway;
	i->has_ipv6 = n->has_ipv6;
	i->ipv6 = n->ipv6;
	i->ipv6_prefix = n->ipv6_prefix;
	i->has_ipv6_gateway = n->has_ipv6_gateway;
	i->ipv6_gateway = n->ipv6_gateway;
}

static bool shares_netns(const struct native_config *c)
{
	return c->n_nets == 1 &&
	       (c->nets[0].type == NATIVE_NET_HOST || c->nets[0].type == NATIVE_NET_NETNS);
}

int net_prepare(const char *store_root, const char *name, const struct native_config *c,
		struct net_plan **out, struct ctr_error *err)
{
	struct net_plan *p = xzalloc(sizeof(*p));
	struct nl_sock *sk = NULL;
	int ret = 0;

	p->own_netns = !shares_netns(c);
	if (p->own_netns)
		p->ifaces = xcalloc(c->n_nets ? c->n_nets : 1, sizeof(*p->ifaces));
	for (size_t k = 0; p->own_netns && k < c->n_nets && ret == 0; k++) {
		const struct native_net *n = &c->nets[k];
		struct net_iface *i = &p->ifaces[p->n_ifaces];

		if (n->type != NATIVE_NET_VETH && n->type != NATIVE_NET_MACVLAN)
			continue;
		plan_from_config(store_root, name, n, i);
		if (n->type == NATIVE_NET_VETH) {
			if (!sk && (ret = nlx_open(&sk, err)) < 0)
				break;
			ret = plan_veth(sk, store_root, name, n, i, err);
			if (ret < 0)
				ctr_error_prefix(err, "net.%u", n->index);
		}
		p->n_ifaces++;
	}
	nlx_close(sk);
	if (ret < 0) {
		net_plan_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

/* Run fn on the lease file of every bridge of the store, locked. */
static int each_bridge(const char *store_root,
		       int (*fn)(struct ipam_file *f, const char *bridge, void *data,
				 struct ctr_error *err),
		       void *data, struct ctr_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/net", store_root);
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : ctr_errno(err, "open %s", dir);
	while (ret == 0 && (e = readdir(d))) {
		size_t len = strlen(e->d_name), sl = strlen(LEASES_SUFFIX);
		_cleanup_free_ char *bridge = NULL;
		struct ipam_file f;

		if (len <= sl || strcmp(e->d_name + len - sl, LEASES_SUFFIX) != 0)
			continue;
		bridge = xstrndup(e->d_name, len - sl);
		ret = ipam_open(store_root, bridge, &f, err);
		if (ret == 0)
			ret = fn(&f, bridge, data, err);
		ipam_close(&f);
	}
	closedir(d);
	return ret;
}

/* Commit what changed; the NAT of a bridge nobody asks it of any more goes. */
static int settle(struct ipam_file *f, const char *bridge, bool had_nat, size_t dropped,
		  struct ctr_error *err)
{
	int ret = dropped ? ipam_commit(f, err) : 0;

	if (ret == 0 && had_nat && !ipam_wants_nat(&f->table))
		ret = nat_remove(bridge, err);
	return ret;
}

static int release_one(struct ipam_file *f, const char *bridge, void *data, struct ctr_error *err)
{
	bool had_nat = ipam_wants_nat(&f->table);

	return settle(f, bridge, had_nat, ipam_drop_name(&f->table, data), err);
}

int net_release(const char *store_root, const char *name, struct ctr_error *err)
{
	return each_bridge(store_root, release_one, (void *)name, err);
}

static int prune_one(struct ipam_file *f, const char *bridge, void *data, struct ctr_error *err)
{
	struct stale_ctx stale = {data, NULL};
	bool had_nat = ipam_wants_nat(&f->table);
	size_t changed = ipam_drop_if(&f->table, container_gone, &stale);

	/* The next start gives the bridge its addresses again, should
	 * someone have taken them away. */
	if (f->table.bridge_index) {
		f->table.bridge_index = 0;
		changed++;
	}
	return settle(f, bridge, had_nat, changed, err);
}

int net_prune(const char *store_root, struct ctr_error *err)
{
	return each_bridge(store_root, prune_one, (void *)store_root, err);
}

struct lease_list {
	struct net_lease *v;
	size_t n;
};

static int list_one(struct ipam_file *f, const char *bridge, void *data, struct ctr_error *err)
{
	struct lease_list *l = data;

	for (size_t i = 0; i < f->table.n; i++) {
		const struct ipam_lease *src = &f->table.v[i];
		struct net_lease *dst;

		l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
		dst = &l->v[l->n++];
		memset(dst, 0, sizeof(*dst));
		snprintf(dst->bridge, sizeof(dst->bridge), "%s", bridge);
		inet_ntop(AF_INET, &src->addr, dst->address, sizeof(dst->address));
		dst->container = xstrdup(src->name);
		dst->index = src->index;
		dst->is_static = src->is_static;
		dst->nat = src->nat;
	}
	return 0;
}

int net_list_leases(const char *store_root, struct net_lease **out, size_t *n,
		    struct ctr_error *err)
{
	struct lease_list l = {NULL, 0};
	int ret = each_bridge(store_root, list_one, &l, err);

	if (ret < 0) {
		net_leases_free(l.v, l.n);
		return ret;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

void net_leases_free(struct net_lease *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].container);
	free(v);
}
