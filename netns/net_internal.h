/* SPDX-License-Identifier: GPL-2.0-or-later */
/* net_internal.h - what the files of netns/ share besides nl.h and ipam.h. */
#ifndef CTR_NETNS_NET_INTERNAL_H
#define CTR_NETNS_NET_INTERNAL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct nl_sock;

/* FNV-1a over strings, each with its NUL, then a number: stable names. */
uint64_t net_hash(const char *a, const char *b, unsigned int n);

/* The bridge's IPv6 unique local prefix: fd63:7472:HHHH:HHHH::/64 from a
 * hash of its name, so every bridge has its own and it survives reboots.
 * The bridge is ::1; a container gets ::HOST with HOST its IPv4 host part. */
void bridge_ula(const char *bridge, struct in6_addr *prefix);

/* Whether the bridge takes IPv6 addresses (a host booted with IPv6 off,
 * or disable_ipv6 on the bridge, has none to give the containers). */
bool bridge_has_ipv6(const char *bridge);

/* The bridge exists, is up and has ipv4/prefix and its ULA ::1/64; returns
 * its ifindex. known: the ifindex the addresses were given to before (the
 * lease file keeps it), 0 if none: the same bridge is not asked again.
 * Call with the bridge's lease lock held (parallel starts). */
int bridge_ensure(struct nl_sock *sk, const char *bridge, struct in_addr ipv4, unsigned int prefix,
		  int known, struct ctr_error *err);

/* Masquerade what leaves the subnet from the bridge: nft table
 * "ip ctr_BRIDGE" (BRIDGE's characters outside [A-Za-z0-9_] become '_'),
 * and IPv4 forwarding on the bridge only. Idempotent. */
int nat_install(const char *bridge, struct in_addr net, unsigned int prefix, struct ctr_error *err);
/* Remove the table; a missing one is success. */
int nat_remove(const char *bridge, struct ctr_error *err);
/* The table's name for bridge. */
void nat_table_name(const char *bridge, char *buf, size_t len);

#endif
