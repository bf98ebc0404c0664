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

#include "checkpoint.h"
#include "netns/net.h"
#include "syscalls.h"
#include "util.h"
#include "verbs.h"

#define MAX_CLIENTS 16

struct monitor {
	struct cli_ctx *c;
	const char *name;
	int pidfd;
	pid_t init_pid;
	int pty;    /* -1 when there is no console */
	bool pty_hup; /* no process has the console open right now */
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

/* Beyond the caller's fds: what cli_userns_root prepared for the init. */
#define MAX_TREES 64

static void detach_from_caller(struct cli_ctx *c, int ready, const struct spec *spec)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int keep[4 + MAX_TREES] = {ready, c->st.dirfd, c->st.lockfd, c->rt.store.dirfd};
	size_t n_keep = 4 + cli_userns_fds(spec, keep + 4, MAX_TREES);

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
	keep_only_fds(keep, n_keep);
}

/* flock belongs to the open file: a lock fd shared with `ctr start` (or
 * with --all-autostart, which goes on to start others) would let both
 * hold the store lock at once. The monitor takes its own. */
static int reopen_store(struct cli_ctx *c, struct ctr_error *err)
{
	_cleanup_free_ char *root = xstrdup(c->st.root);

	store_close(&c->st);
	c->st_open = false;
	if (store_open(root, false, &c->st, err) < 0)
		return -1;
	c->st_open = true;
	return 0;
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

/* A console nobody has open (systemd closed its stdio, getty hung it up
 * before opening it again) reads as EIO and polls as POLLHUP until someone
 * opens it: the master is kept, and looked at again this often. */
#define HUP_RETRY_MS 100

static void monitor_loop(struct monitor *m)
{
	for (;;) {
		struct pollfd p[3 + MAX_CLIENTS] = {
		    {.fd = m->pidfd, .events = POLLIN},
		    {.fd = m->pty_hup ? -1 : m->pty, .events = POLLIN},
		    {.fd = m->listen, .events = POLLIN},
		};
		int n;

		for (size_t i = 0; i < MAX_CLIENTS; i++)
			p[3 + i] = (struct pollfd){.fd = m->clients[i], .events = POLLIN};
		n = poll(p, ARRAY_SIZE(p), m->pty_hup ? HUP_RETRY_MS : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (n == 0) {
			m->pty_hup = false;
			continue;
		}
		if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) && !pump_console(m))
			m->pty_hup = true;
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

/* Everything a start needs, read and checked before anything runs. The
 * config stays at hand for what the spec does not carry (interfaces,
 * net.N.*, which network setup reads). */
struct start_plan {
	const char *name;
	struct native_config *cfg;
	struct spec *spec;
	char *text; /* the config as read, kept in the runtime state */
	struct net_plan *net; /* the netns hook's data */
	struct cli_root_plan *root; /* the root hook's data, or NULL */
	/* `ctr restore`: the image directory the container comes back from
	 * (NULL: a fresh start), and criu's externals for its veths. */
	const char *restore_dir;
	char **externals;
};

static pid_t init_pid_of(struct cli_ctx *c, const char *name)
{
	pid_t pid = 0;

	cli_status(c, name, &pid);
	return pid;
}

/* The state under this name may already be a new start's (someone
 * started it again the moment this init exited): remove only our own. */
static void remove_runtime_state(struct monitor *m)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct container_info info;
	bool ours = true;

	if (container_info_get(&m->c->rt, m->name, &info, &err) < 0)
		return;
	if (cli_is_live(info.status) && info.state.pid != m->init_pid)
		ours = false;
	container_info_free(&info);
	if (ours)
		container_delete(&m->c->rt, m->name, true, &err);
}

/* criu's network-unlock at restore: the container's sockets are back, so
 * traffic may reach it. */
static int restore_step(void *data, const char *step, pid_t pid, struct ctr_error *err)
{
	(void)pid;
	if (strcmp(step, "network-unlock") != 0)
		return 0;
	return net_criu_attach(data, err);
}

/* `ctr restore`: criu brings the init back as our child (it restores the
 * tree as its caller's sibling), with a new console whose master it hands
 * us; the network namespace comes back whole, so no netns hook runs. */
static int restore_init(struct cli_ctx *c, const struct start_plan *plan,
			const struct create_opts *o, struct monitor *m, struct ctr_error *err)
{
	struct restore_opts r = {.create = *o, .detach = true, .console_master = &m->pty};
	pid_t pid;
	int code, ret;

	r.create.netns_setup = NULL;
	r.create.netns_data = NULL;
	cli_cr_defaults(&r.c, plan->restore_dir);
	r.c.external = (const char *const *)plan->externals;
	r.c.notify = restore_step;
	r.c.notify_data = plan->net;
	ret = container_restore(&c->rt, &r, &code, err);
	if (ret < 0)
		return ret;
	pid = init_pid_of(c, plan->name);
	m->pidfd = pid > 0 ? sys_pidfd_open(pid, 0) : -1;
	if (m->pidfd < 0)
		return ctr_errno(err, "open the restored init %d", (int)pid);
	return 0;
}

static _Noreturn void monitor_main(struct cli_ctx *c, struct start_plan *plan, int ready)
{
	const char *name = plan->name;
	struct create_opts o = {.id = name,
				.spec = plan->spec,
				.config_json = plan->text,
				.config_len = strlen(plan->text),
				.netns_setup = net_configure,
				.netns_data = plan->net,
				.root_setup = plan->root ? cli_userns_root_setup : NULL,
				.root_data = plan->root};
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *log = store_container_path(&c->st, name, "console.log");
	struct monitor m = {.c = c, .name = name, .pty = -1, .log = -1, .listen = -1};

	detach_from_caller(c, ready, o.spec);
	if (reopen_store(c, &err) < 0) {
		dprintf(ready, "1%s", err.msg);
		_exit(1);
	}
	for (size_t i = 0; i < MAX_CLIENTS; i++)
		m.clients[i] = -1;
	m.log = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if ((plan->restore_dir ? restore_init(c, plan, &o, &m, &err)
			       : container_launch(&c->rt, &o, &m.pidfd, &m.pty, &err)) < 0) {
		dprintf(ready, "1%s", err.msg);
		_exit(1);
	}
	/* The init has its root attached: our handles would only keep the
	 * overlay alive after it is gone. */
	cli_userns_close(o.spec);
	m.init_pid = init_pid_of(c, name);
	m.listen = listen_console(c, name, &err);
	/* "0", and what `ctr start` should say (a shifted copy made). */
	if (dprintf(ready, "0%s", cli_userns_root_note(plan->root)) < 1) {
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
	remove_runtime_state(&m);
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
	if (buf[0] == '0') {
		fputs(buf + 1, stderr);
		return 0;
	}
	return ctr_error(err, EIO, "%s: %s", name, buf + 1);
}

static void start_plan_free(struct start_plan *p)
{
	native_config_free(p->cfg);
	if (p->spec)
		cli_userns_close(p->spec);
	spec_free(p->spec);
	free(p->text);
	net_plan_free(p->net);
	strv_free(p->externals);
	cli_userns_root_free(p->root);
}

/* How the container comes to run: the root of a start is made once the
 * init's user namespace exists; a restore's before criu runs (criu makes
 * the user namespace, from the image). */
enum start_kind { START_MONITOR, START_FOREGROUND, START_RESTORE };

static int prepare_start(struct cli_ctx *c, const char *name, enum start_kind kind,
			 struct start_plan *p, struct ctr_error *err)
{
	int ret;

	*p = (struct start_plan){.name = name};
	ret = cli_load_config(c, name, &p->cfg, &p->text, err);
	if (ret == 0)
		ret = cli_userns_prepare(c, name, &p->cfg, &p->text, err);
	if (ret == 0)
		ret = cli_build_spec(&c->st, name, p->cfg, &p->spec, err);
	if (ret == 0)
		ret = cli_clean_stale(c, name, err);
	if (ret == 0 && cli_is_live(cli_status(c, name, NULL)))
		ret = ctr_error(err, EBUSY, "container '%s' is already running", name);
	if (ret == 0)
		ret = cli_net_prepare(c, name, p->cfg, p->spec, &p->net, err);
	/* After the files network setup writes into the upper: overlayfs
	 * wants its layers left alone once it is mounted. */
	if (ret == 0)
		ret = kind == START_RESTORE
			  ? cli_userns_root_now(c, name, p->cfg, p->spec, err)
			  : cli_userns_root(c, name, p->cfg, p->spec, kind == START_FOREGROUND,
					    &p->root, err);
	return ret;
}

/* The monitor forked with a prepared plan; back once the init runs. */
static int spawn_monitor(struct cli_ctx *c, struct start_plan *plan, struct ctr_error *err)
{
	int ready[2], ret;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return ctr_errno(err, "pipe");
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		monitor_main(c, plan, ready[1]);
	}
	close(ready[1]);
	ret = pid < 0 ? ctr_errno(err, "fork monitor") : await_monitor(ready[0], plan->name, err);
	close(ready[0]);
	return ret;
}

int cli_start_container(struct cli_ctx *c, const char *name, struct ctr_error *err)
{
	struct start_plan plan;
	int ret;

	ret = prepare_start(c, name, START_MONITOR, &plan, err);
	if (ret == 0)
		ret = spawn_monitor(c, &plan, err);
	start_plan_free(&plan);
	return ret;
}

int cli_restore_container(struct cli_ctx *c, const char *name, const char *dir,
			  struct ctr_error *err)
{
	struct start_plan plan;
	int ret;

	ret = prepare_start(c, name, START_RESTORE, &plan, err);
	if (ret == 0)
		ret = net_criu_externals(plan.net, &plan.externals, err);
	if (ret == 0) {
		plan.restore_dir = dir;
		ret = spawn_monitor(c, &plan, err);
		if (ret < 0)
			net_criu_undo(plan.net);
	}
	start_plan_free(&plan);
	return ret;
}

int cli_run_foreground(struct cli_ctx *c, const char *name, struct ctr_error *err)
{
	struct start_plan plan;
	int ret, code = 0;

	ret = prepare_start(c, name, START_FOREGROUND, &plan, err);
	if (ret == 0) {
		struct create_opts o = {.id = name,
					.spec = plan.spec,
					.config_json = plan.text,
					.config_len = strlen(plan.text),
					.netns_setup = net_configure,
					.netns_data = plan.net,
					.root_setup = plan.root ? cli_userns_root_setup : NULL,
					.root_data = plan.root};
		/* Without a terminal, init simply inherits our stdio. */
		plan.spec->process.terminal = isatty(STDIN_FILENO);
		ret = container_run(&c->rt, &o, false, &code, err);
	}
	start_plan_free(&plan);
	return ret < 0 ? ret : code;
}
