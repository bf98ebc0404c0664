/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * recvtty - the receiving end of --console-socket, for the integration tests.
 *
 *   recvtty SOCKET [OUTFILE]
 *
 * Listens on the unix socket SOCKET, accepts one connection, takes the pty
 * master passed with SCM_RIGHTS and copies everything the container writes
 * to OUTFILE (default stdout) until the last slave is closed (EIO) or EOF.
 * The socket appears under its final name only once it listens, so a test
 * may start the runtime as soon as the path exists. Gives up after 60 s so a
 * broken runtime cannot hang the suite. Exit 0 when a master was received.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4; the build also gets it from config.h */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Bind under a temporary name and rename once listening: no window in which
 * the path exists but connect() would be refused. */
static int listen_at(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char tmp[sizeof(addr.sun_path)];

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	strcpy(addr.sun_path, tmp);
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("bind");
	if (listen(fd, 1) < 0)
		die("listen");
	if (rename(tmp, path) < 0)
		die("rename");
	return fd;
}

static int receive_fd(int conn)
{
	char data[4096];
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};

	if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0)
		die("recvmsg");
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "recvtty: message carried no file descriptor\n");
		exit(1);
	}
	int fd;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
	return fd;
}

static void copy_until_hangup(int from, int to)
{
	char buf[4096];

	for (;;) {
		ssize_t n = read(from, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno == EIO))
			return; /* EIO: every slave fd is closed */
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read pty master");
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(to, buf + off, n - off);
			if (w < 0)
				die("write");
			off += w;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: recvtty SOCKET [OUTFILE]\n");
		return 2;
	}
	alarm(60);
	int out = STDOUT_FILENO;
	if (argc == 3) {
		out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (out < 0)
			die(argv[2]);
	}
	int lfd = listen_at(argv[1]);
	int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	int master = receive_fd(conn);
	close(conn);
	close(lfd);
	unlink(argv[1]);
	copy_until_hangup(master, out);
	return 0;
}
