/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipam.h - IPv4 addresses of the containers on one bridge (internal to
 * netns/). Leases live in STORE/net/BRIDGE.leases, one a line:
 *
 *   ADDRESS CONTAINER N auto|static [nat]
 *
 * and a line "#bridge IFINDEX" naming the bridge ctr gave its addresses
 * to (a bridge made again has another ifindex, and gets them again).
 *
 * and change only under flock(STORE/net/BRIDGE.lock), by rename, so a
 * runtime killed mid-write leaves the old file. The pure half (parse,
 * format, assign) needs no file and is what the unit tests exercise.
 */
#ifndef CTR_NETNS_IPAM_H
#define CTR_NETNS_IPAM_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct ipam_lease {
	struct in_addr addr;
	char *name;	    /* container */
	unsigned int index; /* net.N */
	bool is_static;	    /* from net.N.ipv4: reserved, never handed out */
	bool nat;	    /* the container asked for bridge.nat */
};

struct ipam_table {
	struct ipam_lease *v;
	size_t n;
	int bridge_index; /* 0: not known to be set up */
};

/* The bridge's own address and subnet: the pool is every host address of
 * the subnet but this one. */
struct ipam_pool {
	struct in_addr bridge;
	unsigned int prefix; /* 8 to 30 */
};

int ipam_parse(const char *text, struct ipam_table *t, struct ctr_error *err);
char *ipam_format(const struct ipam_table *t); /* malloc'd */
void ipam_table_free(struct ipam_table *t);

/* The address of interface index of container name, recorded in t:
 * its lease when it has one in the pool (a restart keeps its address),
 * the static address when want is set (refused with EADDRINUSE when
 * another container holds it; not recorded when outside the pool), else
 * the lowest free address of the pool (ENOSPC when full). */
int ipam_assign(struct ipam_table *t, const struct ipam_pool *pool, const char *name,
		unsigned int index, const struct in_addr *want, bool nat, struct in_addr *out,
		struct ctr_error *err);

/* Drop every lease of name; returns how many. */
size_t ipam_drop_name(struct ipam_table *t, const char *name);
/* Drop the leases for which gone(name, data) is true; returns how many. */
size_t ipam_drop_if(struct ipam_table *t, bool (*gone)(const char *name, void *data), void *data);
/* Whether any lease asks for NAT. */
bool ipam_wants_nat(const struct ipam_table *t);

/* The locked lease file of a bridge. */
struct ipam_file {
	int lockfd;
	int dirfd;    /* STORE/net */
	char *leases; /* "BRIDGE.leases" */
	char *text;   /* as read: an unchanged table is not written back */
	struct ipam_table table;
};

/* Create STORE/net if needed, take the bridge's lock, read its leases
 * (none yet is an empty table). */
int ipam_open(const char *store_root, const char *bridge, struct ipam_file *f,
	      struct ctr_error *err);
/* Write the table back (by rename) if it changed. */
int ipam_commit(struct ipam_file *f, struct ctr_error *err);
/* Unlock and free. */
void ipam_close(struct ipam_file *f);

#endif
