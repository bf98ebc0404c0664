/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sync.h - the numbered parent/child protocol of the launcher.
 *
 * Parent and child share a SOCK_SEQPACKET socketpair; each message is one
 * packet (type, a value, optional text, optional fd). The order is fixed:
 *
 *   parent                                   child (container init)
 *   clone3 ─────────────────────────────────▶ waits
 *   uid/gid maps, v1 cgroup attach
 *   root_setup hook (ctr: idmapped root)
 *   SYNC_GO (+ root fd) ──────────────────▶ namespaces joined, rootfs prepared
 *   v1 cgroups made (init_args.cg_late):
 *   SYNC_CGROUP ───────────────────────────▶ joins them (read after its rootfs)
 *          ◀─────────────────────────────── SYNC_NETNS (init_args.unshare_net: sent
 *                                            first thing, read here)
 *   netns_setup hook (ctr: interfaces)
 *          ◀─────────────────────────────── SYNC_HOOKS (only with prestart/createRuntime hooks)
 *   runs hooks, SYNC_HOOKS_DONE ──────────▶ pivot, hostname, sysctl, masks
 *          ◀─────────────────────────────── SYNC_PTY + fd (only with a terminal)
 *          ◀─────────────────────────────── SYNC_READY (process set up)
 *   writes state and pid file
 *   SYNC_COMMIT ───────────────────────────▶ drops its parent-death signal
 *          ◀─────────────────────────────── SYNC_COMMIT_ACK; waits on exec fifo / execs
 *
 * Any step in the child may instead send SYNC_ERROR with the message and
 * exit; the parent reports it as its own error. EOF means the child died.
 */
#ifndef CTR_SYNC_H
#define CTR_SYNC_H

#include <stdint.h>

#include "error.h"

enum sync_type {
	SYNC_GO = 1,
	SYNC_HOOKS,
	SYNC_HOOKS_DONE,
	SYNC_PTY,
	SYNC_READY,
	SYNC_COMMIT,
	SYNC_COMMIT_ACK,
	SYNC_ERROR,
	SYNC_NETNS, /* child: its own network namespace made (init_args.unshare_net) */
	SYNC_CGROUP, /* parent: the v1 cgroups exist, join them (init_args.cg_late) */
};

struct sync_msg {
	uint32_t type;
	int32_t value; /* errno for SYNC_ERROR */
	char text[16384]; /* error text, or the state JSON handed to hooks */
};

/* Send a message (fd >= 0 attaches it with SCM_RIGHTS). 0 or -errno. */
int sync_send(int sock, enum sync_type type, int value, const char *text, int fd);

/* Receive one message; *fd receives an attached fd or -1 (fd may be NULL).
 * Returns 0, -EPIPE on EOF or a reset (the peer is gone), or -errno. */
int sync_recv(int sock, struct sync_msg *msg, int *fd);

/* Receive and require a type: a SYNC_ERROR becomes err's message, anything
 * else a protocol error naming both types. */
int sync_expect(int sock, enum sync_type want, int *fd, struct ctr_error *err);

/* The error for a failed sync_recv or sync_send (ret, a -errno): -EPIPE,
 * the peer gone, says the container process exited during setup; any
 * other names what was being done. Returns -code. */
int sync_failed(int ret, const char *doing, struct ctr_error *err);

/* Child side: report err to the parent (best effort). */
void sync_send_error(int sock, const struct ctr_error *err);

#endif
