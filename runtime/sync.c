/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "sync.h"
#include "util.h"

int sync_send(int sock, enum sync_type type, int value, const char *text, int fd)
{
	struct sync_msg msg = {.type = type, .value = value};
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr mh = {0};
	size_t len = offsetof(struct sync_msg, text);

	if (text) {
		size_t tl = strnlen(text, sizeof(msg.text) - 1);
		memcpy(msg.text, text, tl);
		msg.text[tl] = '\0';
		len += tl + 1;
	}
	iov.iov_base = &msg;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(control, 0, sizeof(control));
		mh.msg_control = control;
		mh.msg_controllen = sizeof(control);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	for (;;) {
		if (sendmsg(sock, &mh, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int sync_recv(int sock, struct sync_msg *msg, int *fd)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = msg, .iov_len = sizeof(*msg)};
	struct msghdr mh = {0};
	ssize_t n;

	if (fd)
		*fd = -1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = control;
	mh.msg_controllen = sizeof(control);
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	/* The peer is gone: it closed its end, or died with our last
	 * message unread (a reset). */
	if (n < 0 && errno == ECONNRESET)
		return -EPIPE;
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	if ((size_t)n < offsetof(struct sync_msg, text))
		return -EBADMSG;
	if ((size_t)n == offsetof(struct sync_msg, text))
		msg->text[0] = '\0';
	msg->text[sizeof(msg->text) - 1] = '\0';
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int got;
			memcpy(&got, CMSG_DATA(c), sizeof(int));
			if (fd)
				*fd = got;
			else
				close(got);
		}
	}
	return 0;
}

static const char *sync_type_name(uint32_t type)
{
	static const char *const names[] = {
		[SYNC_GO] = "go", [SYNC_HOOKS] = "hooks", [SYNC_HOOKS_DONE] = "hooks-done",
		[SYNC_PTY] = "pty", [SYNC_READY] = "ready", [SYNC_COMMIT] = "commit",
		[SYNC_COMMIT_ACK] = "commit-ack", [SYNC_ERROR] = "error", [SYNC_NETNS] = "netns",
		[SYNC_CGROUP] = "cgroup",
	};
	return type < ARRAY_SIZE(names) && names[type] ? names[type] : "unknown";
}

int sync_failed(int ret, const char *doing, struct ctr_error *err)
{
	if (ret == -EPIPE)
		return ctr_error(err, EPIPE, "container process exited during setup");
	return ctr_errnum(err, ret, "%s", doing);
}

int sync_expect(int sock, enum sync_type want, int *fd, struct ctr_error *err)
{
	struct sync_msg msg;
	int ret;

	ret = sync_recv(sock, &msg, fd);
	if (ret < 0)
		return sync_failed(ret, "read from container process", err);
	if (msg.type == SYNC_ERROR)
		return ctr_error(err, msg.value > 0 ? msg.value : EIO, "%s", msg.text);
	if (msg.type != want)
		return ctr_error(err, EPROTO, "container setup protocol: expected %s, got %s",
				 sync_type_name(want), sync_type_name(msg.type));
	return 0;
}

void sync_send_error(int sock, const struct ctr_error *err)
{
	sync_send(sock, SYNC_ERROR, err->code, err->msg, -1);
}
