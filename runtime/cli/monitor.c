/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * monitor.c - `ctr start`: the per-container monitor.
 *
 * `ctr start` forks the monitor, which starts the container itself so that
 * it is the init's parent, and reports "running" (or the error) over a
 * pipe; `ctr start` returns then. The monitor, in its own session with
 * stdio on /dev/null:
 *   - holds the console's pty master and copies everything the console
 *     prints to containers/NAME/console.log and to attached clients;
 *   - serves `ctr console` on RUN/NAME/console.sock: bytes from a client go
 *     to the console; each client gets the master fd once (SCM_RIGHTS) so it
 *     can set the window size;
 *   - when the init exits, records its exit status (containers/NAME/last-exit)
 *     and deletes the runtime state (cgroup, state directory).
 * A monitor that is killed leaves a container that runs on; once its init
 * is gone, the next start, stop, list or destroy removes the state (see
 * cli_clean_stale).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns/net.h"
#include "syscalls.h"
#include "util.h"
#include "verbs.h"

#define MAX_CLIENTS 16

struct monitor {
	struct cli_ctx *c;
	const char *name;
	int pidfd;
	int pty;    /* -1 once it hung up */
	int log;    /* console.log, or -1 */
	int listen; /* console.sock, or -1 */
	int clients[MAX_CLIENTS];
};

/* The caller's fds stay the caller's: only what the monitor uses survives,
 * so a `$(ctr start x)` in a script is not held open by the monitor. */
static void keep_only_fds(const int *keep, size_t n)
{
	unsigned int next = 3;

	for (;;) {
		unsigned int lowest = ~0U;

		for (size_t i = 0; i < n; i++)
			if (keep[i] >= (int)next && (unsigned int)keep[i] < lowest)
				lowest = (unsigned int)keep[i];
		if (lowest > next)
			sys_close_range(next, lowest == ~0U ? ~0U : lowest - 1, 0);
		if (lowest == ~0U)
			return;
		next = lowest + 1;
	}
}

static void detach_from_caller(struct cli_ctx *c, int ready)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int keep[] = {ready, c->st.dirfd, c->st.lockfd, c->rt.store.dirfd};

	setsid();
	if (chdir("/") < 0) {
		/* "/" always exists; nothing to do */
	}
	prctl(PR_SET_NAME, "ctr-monitor");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	keep_only_fds(keep, ARRAY_SIZE(keep));
}

/* bind(2) takes at most 108 bytes: name the socket through the state
 * directory's fd. */
static int listen_console(struct cli_ctx *c, const char *name, struct ctr_error *err)
{
	_cleanup_close_ int dirfd =
	    openat(c->rt.store.dirfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (dirfd < 0)
		return ctr_errno(err, "open state of %s", name);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/" CLI_CONSOLE_SOCK, dirfd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return ctr_errno(err, "console socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0)
		return ctr_errno(err, "listen on console socket");
	return steal_fd(fd);
}

static void send_master(int client, int pty)
{
	char byte = 0;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u = {0};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	if (pty >= 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pty, sizeof(int));
	}
	sendmsg(client, &msg, MSG_NOSIGNAL);
}

static void accept_client(struct monitor *m)
{
	int fd = accept4(m->listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	for (size_t i = 0; i < MAX_CLIENTS; i++) {
		if (m->clients[i] < 0) {
			m->clients[i] = fd;
			send_master(fd, m->pty);
			return;
		}
	}
	close(fd);
}

static void drop_client(struct monitor *m, size_t i)
{
	close(m->clients[i]);
	m->clients[i] = -1;
}

/* Console output: to the log, and to every client that keeps up (a slow
 * client loses output rather than stalling the container). */
static bool pump_console(struct monitor *m)
{
	char buf[8192];
	ssize_t n = read(m->pty, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (m->log >= 0)
		write_all(m->log, buf, (size_t)n);
	for (size_t i = 0; i < MAX_CLIENTS; i++)
		if (m->clients[i] >= 0 && send(m->clients[i], buf, (size_t)n, MSG_NOSIGNAL) < 0 &&
		    errno != EAGAIN)
			drop_client(m, i);
	return true;
}

static void client_input(struct monitor *m, size_t i)
{
	char buf[4096];
	ssize_t n = read(m->clients[i], buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0 || m->pty < 0) {
		drop_client(m, i);
		return;
	}
	write_all(m->pty, buf, (size_t)n);
}

static void monitor_loop(struct monitor *m)
{
	for (;;) {
		struct pollfd p[3 + MAX_CLIENTS] = {
		    {.fd = m->pidfd, .events = POLLIN},
		    {.fd = m->pty, .events = POLLIN},
		    {.fd = m->listen, .events = POLLIN},
		};
		for (size_t i = 0; i < MAX_CLIENTS; i++)
			p[3 + i] = (struct pollfd){.fd = m->clients[i], .events = POLLIN};
		if (poll(p, ARRAY_SIZE(p), -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) && !pump_console(m))
			m->pty = -1; /* nobody holds the console any more */
		if (p[2].revents & POLLIN)
			accept_client(m);
		for (size_t i = 0; i < MAX_CLIENTS; i++)
			if (m->clients[i] >= 0 && (p[3 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				client_input(m, i);
		if (p[0].revents & POLLIN)
			return;
	}
}

static void record_exit(struct monitor *m)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_free_ char *path = store_container_path(&m->c->st, m->name, CLI_EXIT_FILE);
	siginfo_t info = {0};
	char buf[32];
	int code, n;

	while (waitid(P_PIDFD, (id_t)m->pidfd, &info, WEXITED) < 0)
		if (errno != EINTR)
			return;
	code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
	n = snprintf(buf, sizeof(buf), "%d\n", code);
	write_file_atomic_at(AT_FDCWD, path, buf, (size_t)n, 0600, &ignored);
}

static _Noreturn void monitor_main(struct cli_ctx *c, const char *name, struct create_opts *o,
				   int ready)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *log = store_container_path(&c->st, name, "console.log");
	struct monitor m = {.c = c, .name = name, .pty = -1, .log = -1, .listen = -1};

	detach_from_caller(c, ready);
	for (size_t i = 0; i < MAX_CLIENTS; i++)
		m.clients[i] = -1;
	m.log = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (container_launch(&c->rt, o, &m.pidfd, &m.pty, &err) < 0) {
		dprintf(ready, "1%s", err.msg);
		_exit(1);
	}
	m.listen = listen_console(c, name, &err);
	if (write(ready, "0", 1) != 1) {
		/* `ctr start` is gone: the container runs on all the same */
	}
	close(ready);
	monitor_loop(&m);
	while (m.pty >= 0 && pump_console(&m)) {
		struct pollfd p = {.fd = m.pty, .events = POLLIN};
		if (poll(&p, 1, 0) <= 0)
			break;
	}
	record_exit(&m);
	ctr_error_clear(&err);
	container_delete(&c->rt, name, true, &err);
	_exit(0);
}

/* What `ctr start` reads from the monitor: "0", or "1" and the error. */
static int await_monitor(int ready, const char *name, struct ctr_error *err)
{
	char buf[CTR_ERROR_MSG_MAX + 2];
	ssize_t n;

	do
		n = read(ready, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return ctr_error(err, EIO, "%s: monitor exited during start", name);
	buf[n] = '\0';
	if (buf[0] == '0')
		return 0;
	return ctr_error(err, EIO, "%s: %s", name, buf + 1);
}

static int prepare_start(struct cli_ctx *c, const char *name, struct spec **spec, char **text,
			 struct net_plan **net, struct ctr_error *err)
{
	struct native_config *cfg = NULL;
	int ret;

	ret = cli_load_config(c, name, &cfg, text, err);
	if (ret == 0)
		ret = cli_build_spec(&c->st, name, cfg, spec, err);
	if (ret == 0)
		ret = cli_clean_stale(c, name, err);
	if (ret == 0 && cli_is_live(cli_status(c, name, NULL)))
		ret = ctr_error(err, EBUSY, "container '%s' is already running", name);
	if (ret == 0)
		ret = cli_net_prepare(c, name, cfg, *spec, net, err);
	native_config_free(cfg);
	return ret;
}

int cli_start_container(struct cli_ctx *c, const char *name, struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL;
	struct spec *spec = NULL;
	struct net_plan *net = NULL;
	int ready[2], ret;
	pid_t pid;

	ret = prepare_start(c, name, &spec, &text, &net, err);
	if (ret < 0) {
		spec_free(spec);
		net_plan_free(net);
		return ret;
	}
	if (pipe2(ready, O_CLOEXEC) < 0) {
		spec_free(spec);
		net_plan_free(net);
		return ctr_errno(err, "pipe");
	}
	pid = fork();
	if (pid == 0) {
		struct create_opts o = {.id = name,
					.spec = spec,
					.config_json = text,
					.config_len = strlen(text),
					.netns_setup = net_configure,
					.netns_data = net};
		close(ready[0]);
		monitor_main(c, name, &o, ready[1]);
	}
	close(ready[1]);
	spec_free(spec);
	net_plan_free(net);
	ret = pid < 0 ? ctr_errno(err, "fork monitor") : await_monitor(ready[0], name, err);
	close(ready[0]);
	return ret;
}

int cli_run_foreground(struct cli_ctx *c, const char *name, struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL;
	struct spec *spec = NULL;
	struct net_plan *net = NULL;
	int ret, code = 0;

	ret = prepare_start(c, name, &spec, &text, &net, err);
	if (ret == 0) {
		struct create_opts o = {.id = name,
					.spec = spec,
					.config_json = text,
					.config_len = strlen(text),
					.netns_setup = net_configure,
					.netns_data = net};
		/* Without a terminal, init simply inherits our stdio. */
		spec->process.terminal = isatty(STDIN_FILENO);
		ret = container_run(&c->rt, &o, false, &code, err);
	}
	spec_free(spec);
	net_plan_free(net);
	return ret < 0 ? ret : code;
}
