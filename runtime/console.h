/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * console.h - the container's terminal: a pty pair, and the console socket
 * through which an OCI runtime hands the pty master to its caller
 * (`--console-socket`, as containerd's shim, conmon and runc's recvtty
 * expect: one message on a stream socket, the master as SCM_RIGHTS, the
 * master's name "/dev/ptmx" as payload, which is what runc sends).
 */
#ifndef CTR_CONSOLE_H
#define CTR_CONSOLE_H

#include "error.h"

/* Connect to the unix socket at socket_path (any length: long paths go
 * through the parent directory's /proc/self/fd entry) and send master_fd.
 * The caller keeps master_fd. */
int console_send_fd(const char *socket_path, int master_fd, struct ctr_error *err);

/* The two halves, for a runtime that connects before it creates anything
 * (a bad --console-socket then fails early) and sends later. */
int console_connect(const char *socket_path, struct ctr_error *err);
int console_send_master(int sock, int master_fd, struct ctr_error *err);

/* A new pty from /dev/ptmx (of the current mount namespace): master opened
 * O_RDWR|O_NOCTTY|O_CLOEXEC and unlocked, *slave_path malloc'd
 * ("/dev/pts/3"). */
int console_new_pty(int *master, char **slave_path, struct ctr_error *err);

/* Set the window size of a pty (either end). 0 or -errno. */
int console_set_size(int fd, unsigned rows, unsigned cols);

/* In the process that is to own the terminal (after fork, before exec):
 * new session, slave_fd as controlling terminal, dup'd onto fds 0-2;
 * slave_fd itself is closed when it is above 2. Async-signal-safe.
 * 0 or -errno. */
int console_make_controlling(int slave_fd);

#endif
