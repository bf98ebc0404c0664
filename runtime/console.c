/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * console.c - pty pairs and the console socket protocol.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#include "console.h"
#include "util.h"

/* The payload next to the fd: runc sends the master's file name. */
#define CONSOLE_MASTER_NAME "/dev/ptmx"

/* sockaddr_un for path; a path too long for sun_path is reached through
 * its directory, opened here and kept in *dirfd until the connect is done. */
static int console_socket_address(const char *path, struct sockaddr_un *addr, int *dirfd,
				  struct ctr_error *err)
{
	_cleanup_free_ char *dir = NULL;
	const char *base = strrchr(path, '/');
	int n;

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (strlen(path) < sizeof(addr->sun_path)) {
		strcpy(addr->sun_path, path);
		return 0;
	}
	dir = base ? xstrndup(path, (size_t)(base - path)) : xstrdup(".");
	*dirfd = open(*dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return ctr_errno(err, "open console socket directory %s", dir);
	n = snprintf(addr->sun_path, sizeof(addr->sun_path), "/proc/self/fd/%d/%s", *dirfd,
		     base ? base + 1 : path);
	if (n < 0 || (size_t)n >= sizeof(addr->sun_path))
		return ctr_error(err, ENAMETOOLONG, "console socket name too long: %s", path);
	return 0;
}

static int send_with_fd(int sock, int fd)
{
	char payload[] = CONSOLE_MASTER_NAME;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = {.iov_base = payload, .iov_len = sizeof(payload) - 1};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control.buf,
	    .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	memset(&control, 0, sizeof(control));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	do
		/* MSG_NOSIGNAL: a receiver that went away is an error, not a SIGPIPE. */
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	/* The fd travels with the first byte; the name is informational. */
	return n < 0 ? -errno : 0;
}

int console_connect(const char *socket_path, struct ctr_error *err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_close_ int sock = -1;
	struct sockaddr_un addr;
	int ret;

	ret = console_socket_address(socket_path, &addr, &dirfd, err);
	if (ret < 0)
		return ret;
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return ctr_errno(err, "console socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return ctr_errno(err, "connect to console socket %s", socket_path);
	return steal_fd(sock);
}

int console_send_master(int sock, int master_fd, struct ctr_error *err)
{
	int ret = send_with_fd(sock, master_fd);

	return ret < 0 ? ctr_errnum(err, ret, "send pty master to console socket") : 0;
}

int console_send_fd(const char *socket_path, int master_fd, struct ctr_error *err)
{
	_cleanup_close_ int sock = console_connect(socket_path, err);

	if (sock < 0)
		return sock;
	return console_send_master(sock, master_fd, err);
}

int console_new_pty(int *master, char **slave_path, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	unsigned int n;

	fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return ctr_errno(err, "open /dev/ptmx");
	if (unlockpt(fd) < 0)
		return ctr_errno(err, "unlock pty");
	/* TIOCGPTN rather than ptsname(): no static buffer, no stat of a path
	 * that may not be visible yet. */
	if (ioctl(fd, TIOCGPTN, &n) < 0)
		return ctr_errno(err, "get pty number");
	*slave_path = xasprintf("/dev/pts/%u", n);
	*master = steal_fd(fd);
	return 0;
}

int console_set_size(int fd, unsigned rows, unsigned cols)
{
	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};

	if (rows > 0xffff || cols > 0xffff)
		return -EINVAL;
	return ioctl(fd, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}

int console_make_controlling(int slave_fd)
{
	if (setsid() < 0)
		return -errno;
	if (ioctl(slave_fd, TIOCSCTTY, 0) < 0)
		return -errno;
	for (int target = 0; target <= 2; target++) {
		if (slave_fd != target && dup2(slave_fd, target) < 0)
			return -errno;
	}
	if (slave_fd > 2)
		close(slave_fd);
	return 0;
}
