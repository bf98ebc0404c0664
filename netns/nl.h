/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nl.h - what netns/ shares over libnl-3 route (internal to netns/):
 * sockets (one per network namespace: a netlink socket talks to the
 * namespace it was created in), libnl errors as errno, and the few link,
 * address and route requests ctr makes. Every call waits for the kernel's
 * answer; none loads a cache (a full link dump costs more than a start).
 */
#ifndef CTR_NETNS_NL_H
#define CTR_NETNS_NL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct nl_sock;

/* A route socket in the caller's namespace. */
int nlx_open(struct nl_sock **sk, struct ctr_error *err);
/* A route socket in the namespace netns_fd, made by entering it for the
 * socket() call only; the caller's namespace is restored before return. */
int nlx_open_in(int netns_fd, struct nl_sock **sk, struct ctr_error *err);
void nlx_close(struct nl_sock *sk);

/* A libnl error (negative NLE_*) as err: "what: libnl message"; returns
 * the closest -errno. */
int nlx_error(struct ctr_error *err, int nlerr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The closest errno of a negative NLE_* code (positive). */
int nlx_errno(int nlerr);

/* The ifindex of name, -ENODEV when there is none. */
int nlx_ifindex(struct nl_sock *sk, const char *name, struct ctr_error *err);
/* Set a link up by index. */
int nlx_link_up(struct nl_sock *sk, int ifindex, struct ctr_error *err);
/* Put a link on a bridge by index (master 0: off any bridge). */
int nlx_link_set_master(struct nl_sock *sk, int ifindex, int master, struct ctr_error *err);
/* Delete a link by name; a missing one is success. */
int nlx_link_delete(struct nl_sock *sk, const char *name, struct ctr_error *err);

/* Add an address (v4 or v6, no duplicate address detection: the address
 * is ours by lease or by config). exist_ok: an address already there is
 * success. */
int nlx_addr_add(struct nl_sock *sk, int ifindex, int family, const void *addr, unsigned int prefix,
		 bool exist_ok, struct ctr_error *err);
/* A default route through gateway on ifindex. */
int nlx_default_route(struct nl_sock *sk, int ifindex, int family, const void *gateway,
		      struct ctr_error *err);

#endif
