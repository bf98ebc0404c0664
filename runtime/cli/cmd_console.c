/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_console.c - `ctr console NAME [--escape ^a]`: attach this terminal to
 * the container's console through its monitor (RUN/NAME/console.sock).
 * Ctrl-a q detaches (the container runs on); Ctrl-a Ctrl-a sends one Ctrl-a.
 * The monitor hands over the pty master once, which is used only to pass
 * the window size on.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"
#include "verbs.h"

/* After the end of non-terminal input, how long output may still come. */
#define LINGER_MS 300

static const struct opt_def console_table[] = {
    {"escape", 'e', true, 0, "escape key as ^X (default ^a); ESC q detaches"},
    {NULL, 0, false, 0, NULL},
};

static int escape_option(void *data, int id, const char *v, struct ctr_error *err)
{
	int *esc = data;

	(void)id;
	if (v[0] == '^' && v[1] && !v[2] && ((v[1] | 0x20) >= 'a' && (v[1] | 0x20) <= 'z')) {
		*esc = (v[1] | 0x20) - 'a' + 1;
		return 0;
	}
	return ctr_error(err, EINVAL, "--escape: expected ^a .. ^z, got '%s'", v);
}

static int connect_console(struct cli_ctx *c, const char *name, int *master, struct ctr_error *err)
{
	_cleanup_close_ int dirfd =
	    openat(c->rt.store.dirfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};

	if (dirfd < 0 || !cli_is_live(cli_status(c, name, NULL)))
		return ctr_error(err, EINVAL, "container '%s' is not running", name);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/" CLI_CONSOLE_SOCK, dirfd);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return ctr_errno(err, "connect to the console of %s", name);
	*master = -1;
	if (recvmsg(fd, &msg, MSG_CMSG_CLOEXEC) == 1) {
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		if (cm && cm->cmsg_type == SCM_RIGHTS)
			memcpy(master, CMSG_DATA(cm), sizeof(int));
	}
	return steal_fd(fd);
}

static void pass_window_size(int master)
{
	struct winsize ws;

	if (master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Keys typed: to the console, except the escape sequences. Returns false
 * to detach. */
static bool forward_input(int sock, int esc, bool *pending)
{
	char in[1024], out[2048];
	size_t n_out = 0;
	ssize_t n = read(STDIN_FILENO, in, sizeof(in));

	if (n <= 0)
		return false;
	for (ssize_t i = 0; i < n; i++) {
		if (*pending) {
			*pending = false;
			if (in[i] == 'q')
				return false;
			if (in[i] != esc)
				out[n_out++] = (char)esc;
			out[n_out++] = in[i];
		} else if (in[i] == esc) {
			*pending = true;
		} else {
			out[n_out++] = in[i];
		}
	}
	return write_all(sock, out, n_out) == 0;
}

static void relay_console(int sock, int master, int esc)
{
	sigset_t set;
	int sigfd;
	bool pending = false;

	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	bool input = true;

	for (;;) {
		struct pollfd p[3] = {{.fd = sock, .events = POLLIN},
				      {.fd = input ? STDIN_FILENO : -1, .events = POLLIN},
				      {.fd = sigfd, .events = POLLIN}};
		char buf[8192];
		/* Input from a script ended: show what it caused, then leave. */
		int ready = poll(p, 3, input ? -1 : LINGER_MS);

		if (ready == 0)
			break;
		if (ready < 0)
			continue;
		if (p[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) > 0)
				pass_window_size(master);
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(sock, buf, sizeof(buf));
			if (n <= 0 || write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				break;
		}
		if ((p[1].revents & (POLLIN | POLLHUP)) && !forward_input(sock, esc, &pending)) {
			if (isatty(STDIN_FILENO) || pending)
				break;
			input = false;
		}
	}
	if (sigfd >= 0)
		close(sigfd);
}

int cmd_console(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	_cleanup_close_ int sock = -1;
	_cleanup_close_ int master = -1;
	struct termios saved, raw;
	bool restore = false;
	const char *name;
	int esc = 1; /* ^a */
	int ret;

	ret = cli_parse_name(console_table, argc, argv, escape_option, &esc, &name, err);
	if (ret < 0 || (ret = cli_ctx_open(g, &c, true, err)) < 0 ||
	    (ret = cli_check_exists(&c, name, err)) < 0)
		return ret;
	sock = connect_console(&c, name, &master, err);
	if (sock < 0)
		return sock;
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		fprintf(stderr, "Connected to %s's console; detach with Ctrl-%c q\r\n", name,
			'a' + esc - 1);
		raw = saved;
		cfmakeraw(&raw);
		restore = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	pass_window_size(master);
	relay_console(sock, master, esc);
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		fputc('\n', stderr);
	}
	return 0;
}
