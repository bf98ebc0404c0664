/* SPDX-License-Identifier: GPL-2.0-or-later */
/* criu_swrk.c - one request to `criu swrk`, with its notifications. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "criu.h"
#include "log.h"
#include "syscalls.h"
#include "util.h"

#define SWRK_FD      3
#define RESP_MAX     (64 * 1024)
#define RESP_TYPE    1
#define RESP_SUCCESS 2
#define RESP_RESTORE 4
#define RESP_NOTIFY  5
#define RESP_ERRNO   7
#define RESP_ERRMSG  9

struct criu_resp {
	int type;
	bool success;
	pid_t restored_pid;
	char *script; /* a notification */
	pid_t notify_pid;
	int cr_errno;
	char *errmsg;
};

static void resp_free(struct criu_resp *r)
{
	free(r->script);
	free(r->errmsg);
	*r = (struct criu_resp){0};
}

/* criu_restore_resp {pid = 1} and criu_notify {script = 1; pid = 2}. */
static int parse_sub(const struct pb_field *outer, struct criu_resp *r)
{
	struct pb_reader rd = pb_reader_init(outer->data, outer->len);
	struct pb_field f;
	int ret;

	while ((ret = pb_next(&rd, &f)) > 0) {
		if (outer->num == RESP_RESTORE && f.num == 1)
			r->restored_pid = (pid_t)f.varint;
		else if (outer->num == RESP_NOTIFY && f.num == 1 && !r->script)
			r->script = pb_strdup(&f);
		else if (outer->num == RESP_NOTIFY && f.num == 2)
			r->notify_pid = (pid_t)f.varint;
	}
	return ret;
}

static int parse_resp(const void *data, size_t len, struct criu_resp *r)
{
	struct pb_reader rd = pb_reader_init(data, len);
	struct pb_field f;
	int ret;

	while ((ret = pb_next(&rd, &f)) > 0) {
		switch (f.num) {
		case RESP_TYPE: r->type = (int)f.varint; break;
		case RESP_SUCCESS: r->success = f.varint != 0; break;
		case RESP_ERRNO: r->cr_errno = (int)f.varint; break;
		case RESP_ERRMSG:
			if (!r->errmsg)
				r->errmsg = pb_strdup(&f);
			break;
		case RESP_RESTORE:
		case RESP_NOTIFY:
			if (f.wire == PB_LEN && parse_sub(&f, r) < 0)
				return -EBADMSG;
			break;
		default: break;
		}
	}
	return ret;
}

/* One message, and the fd that came with it (or -1). 0 at EOF. */
static ssize_t recv_msg(int sk, uint8_t *buf, int *fd)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = RESP_MAX};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.space,
			    .msg_controllen = sizeof(u.space)};
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sk, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EMSGSIZE;
	return n;
}

static int send_req(int sk, enum criu_req_type type, const struct pb_buf *opts, int notify_ok)
{
	struct pb_buf req = {0};
	ssize_t n;

	pb_put_varint(&req, 1, type);
	if (opts)
		pb_put_msg(&req, 2, opts);
	if (notify_ok >= 0)
		pb_put_bool(&req, 3, notify_ok);
	n = send(sk, req.data, req.len, MSG_NOSIGNAL);
	pb_buf_free(&req);
	return n < 0 ? -errno : 0;
}

/* In the child: the socket becomes fd 3, pass_fds 4.., stderr errfd
 * (when there is one), nothing else. */
_Noreturn static void exec_swrk(const struct criu_call *c, int sk, int errfd)
{
	int top = criu_call_fd(c->n_pass_fds) + 16;
	sigset_t none;
	int moved[64];

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (errfd >= 0 && dup2(errfd, STDERR_FILENO) < 0)
		_exit(127);
	/* Out of the way first, so no dup2 below overwrites a source. */
	if ((sk = fcntl(sk, F_DUPFD_CLOEXEC, top)) < 0)
		_exit(127);
	for (size_t i = 0; i < c->n_pass_fds; i++)
		if ((moved[i] = fcntl(c->pass_fds[i], F_DUPFD_CLOEXEC, top)) < 0)
			_exit(127);
	if (dup2(sk, SWRK_FD) < 0)
		_exit(127);
	for (size_t i = 0; i < c->n_pass_fds; i++)
		if (dup2(moved[i], criu_call_fd(i)) < 0)
			_exit(127);
	sys_close_range((unsigned)criu_call_fd(c->n_pass_fds), ~0U, 0);
	execl(c->bin->path, "criu", "swrk", "3", (char *)NULL);
	_exit(127);
}

static int spawn(const struct criu_call *c, int *sk, pid_t *pid, int errfd,
		 struct ctr_error *err)
{
	int pair[2];

	if (c->n_pass_fds > 32)
		return ctr_error(err, E2BIG, "too many fds for criu");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return ctr_errno(err, "criu socketpair");
	*pid = fork();
	if (*pid < 0) {
		close(pair[0]);
		close(pair[1]);
		return ctr_errno(err, "fork criu");
	}
	if (*pid == 0)
		exec_swrk(c, pair[1], errfd);
	close(pair[1]);
	*sk = pair[0];
	return 0;
}

/* Answer notifications until the final response arrives. */
static int converse(const struct criu_call *c, int sk, struct criu_resp *r, struct ctr_error *err)
{
	_cleanup_free_ uint8_t *buf = xmalloc(RESP_MAX);
	int fd, ret;
	ssize_t n;

	for (;;) {
		resp_free(r);
		n = recv_msg(sk, buf, &fd);
		if (n <= 0)
			return n < 0 ? ctr_errnum(err, (int)n, "read from criu")
				     : ctr_error(err, EPIPE, "criu exited without an answer");
		if (parse_resp(buf, (size_t)n, r) < 0) {
			if (fd >= 0)
				close(fd);
			return ctr_error(err, EBADMSG, "malformed message from criu");
		}
		if (r->type != CRIU_REQ_NOTIFY)
			return 0;
		ret = 0;
		if (c->notify)
			ret = c->notify(c->data, r->script ? r->script : "", r->notify_pid, fd, err);
		else if (fd >= 0)
			close(fd);
		if (send_req(sk, CRIU_REQ_NOTIFY, NULL, ret == 0) < 0 && ret == 0)
			ret = ctr_errno(err, "answer criu");
		if (ret < 0)
			return ret;
	}
}

/* ": <what criu printed last>" for an error, when it failed without a
 * message of its own (its log is not open yet then); "" when nothing. */
static char *last_words(int fd)
{
	_cleanup_free_ char *line = fd_last_line(fd);

	return line ? xasprintf(": %s", line) : xstrdup("");
}

int criu_call(const struct criu_call *c, pid_t *restored_pid, struct ctr_error *err)
{
	/* criu's stderr is kept from the user's: it complains there, after a
	 * pre-dump, that the session ended without another request. */
	_cleanup_close_ int errfd = sys_memfd_create("criu-stderr", MFD_CLOEXEC);
	struct criu_resp r = {0};
	_cleanup_close_ int sk = -1;
	pid_t pid = -1;
	int ret, status;

	*restored_pid = 0;
	ret = spawn(c, &sk, &pid, errfd, err);
	if (ret < 0)
		return ret;
	if (c->spawned)
		ret = c->spawned(c->data, pid, err);
	if (ret == 0 && send_req(sk, c->type, c->opts, -1) < 0)
		ret = ctr_errno(err, "send request to criu");
	if (ret == 0)
		ret = converse(c, sk, &r, err);
	close(steal_fd(sk));
	status = wait_exit_status(pid);
	if (ret == 0 && r.type != (int)c->type)
		ret = ctr_error(err, EBADMSG, "criu answered request %d with %d", c->type, r.type);
	if (ret == 0 && !r.success && r.errmsg && *r.errmsg)
		ret = ctr_error(err, r.cr_errno > 0 ? r.cr_errno : EIO, "%s", r.errmsg);
	else if (ret == 0 && !r.success) {
		_cleanup_free_ char *why = last_words(errfd);
		ret = ctr_error(err, r.cr_errno > 0 ? r.cr_errno : EIO,
				"criu failed (exit status %d)%s", status, why);
	} else if (ret == -EPIPE || ret == -ECONNRESET) {
		_cleanup_free_ char *why = last_words(errfd);
		ret = ctr_error(err, EPIPE, "criu exited without an answer (status %d)%s", status,
				why);
	}
	if (ret == 0)
		*restored_pid = r.restored_pid;
	resp_free(&r);
	return ret;
}
