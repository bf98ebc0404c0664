/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run.c - `run`: create and start in one step, then (unless detached) wait
 * for the container, forwarding signals and relaying its terminal.
 */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>

#include "events.h"
#include "lifecycle_internal.h"
#include "log.h"
#include "syscalls.h"

/* Signals a foreground runtime passes on to the container rather than
 * acting on itself. */
static const int forwarded_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM,
};

static void copy_window_size(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

/* Move what is readable on from to to; false at EOF or error. */
static bool relay(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 && errno == EINTR;
	return write_all(to, buf, (size_t)n) == 0;
}

static int exit_code_of(const siginfo_t *info)
{
	if (info->si_code == CLD_EXITED)
		return info->si_status;
	return 128 + info->si_status;
}

struct wait_loop {
	int pidfd;
	int sigfd;
	int pty;
	bool stdin_open;
};

static int handle_signal(struct wait_loop *w)
{
	struct signalfd_siginfo si;

	if (read(w->sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGWINCH && w->pty >= 0)
		copy_window_size(STDIN_FILENO, w->pty);
	else
		sys_pidfd_send_signal(w->pidfd, (int)si.ssi_signo, NULL, 0);
	return 0;
}

static void drain_pty(int pty)
{
	struct pollfd p = {.fd = pty, .events = POLLIN};

	while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN) && relay(pty, STDOUT_FILENO))
		;
}

int lc_wait_forwarding(pid_t pid, int pidfd, int pty_master, struct ctr_error *err)
{
	struct wait_loop w = {.pidfd = pidfd, .pty = pty_master, .stdin_open = pty_master >= 0};
	struct termios saved, raw;
	bool restore_tty = false;
	siginfo_t info = {0};
	sigset_t set, old;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(&set, forwarded_signals[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	w.sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (w.sigfd < 0)
		return ctr_errno(err, "signalfd");
	if (pty_master >= 0 && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		restore_tty = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
		copy_window_size(STDIN_FILENO, pty_master);
	}
	for (;;) {
		struct pollfd fds[4] = {
			{.fd = pidfd, .events = POLLIN},
			{.fd = w.sigfd, .events = POLLIN},
			{.fd = w.pty, .events = POLLIN},
			{.fd = w.stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
		};
		if (poll(fds, 4, -1) < 0 && errno != EINTR)
			break;
		if (fds[1].revents & POLLIN)
			handle_signal(&w);
		if (fds[2].revents & (POLLIN | POLLHUP) && !relay(w.pty, STDOUT_FILENO))
			w.pty = -1;
		if (fds[3].revents & (POLLIN | POLLHUP) && !relay(STDIN_FILENO, pty_master))
			w.stdin_open = false;
		if (fds[0].revents & POLLIN)
			break;
	}
	if (w.pty >= 0)
		drain_pty(w.pty);
	if (restore_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(w.sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	while (waitid(P_PIDFD, (id_t)pidfd, &info, WEXITED) < 0) {
		if (errno != EINTR)
			return ctr_errno(err, "wait for container process %d", (int)pid);
	}
	return exit_code_of(&info);
}

int container_launch(struct ctr_runtime *rt, const struct create_opts *o, int *pidfd,
		     int *pty_master, struct ctr_error *err)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	struct launch_result res;
	int ret;

	ret = lc_create(rt, o, LAUNCH_RUN, &res, err);
	if (ret < 0)
		return ret;
	/* Only a spec with poststart hooks pays for reading the state back. */
	if (o->spec->hooks[SPEC_HOOK_POSTSTART].n) {
		_cleanup_close_ int dirfd = -1;
		struct container_state cs = {0};

		if (state_open(&rt->store, o->id, &dirfd, &ignored) == 0 &&
		    state_load(dirfd, &cs, &ignored) == 0)
			lc_run_hooks_warn(rt, dirfd, &cs, SPEC_HOOK_POSTSTART, STATUS_RUNNING);
		container_state_free(&cs);
	}
	*pidfd = res.pidfd;
	*pty_master = res.pty_master;
	return 0;
}

int container_run(struct ctr_runtime *rt, const struct create_opts *o, bool detach,
		  int *exit_code, struct ctr_error *err)
{
	struct ctr_error ignored = CTR_ERROR_INIT;
	_cleanup_close_ int dirfd = -1;
	struct launch_result res;
	int ret;

	*exit_code = 0;
	if (detach && o->spec->process.terminal && !o->console_socket)
		return ctr_error(err, EINVAL,
				 "process.terminal with --detach needs a --console-socket");
	ret = lc_create(rt, o, LAUNCH_RUN, &res, err);
	if (ret < 0)
		return ret;
	if (state_open(&rt->store, o->id, &dirfd, &ignored) == 0) {
		struct container_state cs = {0};
		if (state_load(dirfd, &cs, &ignored) == 0)
			lc_run_hooks_warn(rt, dirfd, &cs, SPEC_HOOK_POSTSTART, STATUS_RUNNING);
		container_state_free(&cs);
	}
	if (detach) {
		close(res.pidfd);
		return 0;
	}
	ret = lc_wait_forwarding(res.pid, res.pidfd, res.pty_master, err);
	close(res.pidfd);
	if (res.pty_master >= 0)
		close(res.pty_master);
	if (ret < 0)
		return ret;
	*exit_code = ret;
	/* 137 alone does not say who killed it; the cgroup's counter does. */
	if (ret == 128 + SIGKILL && container_oom_killed(rt, o->id))
		ctr_warn("container %s was killed by the OOM killer", o->id);
	return container_delete(rt, o->id, true, err);
}
