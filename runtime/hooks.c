/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hooks.c - running OCI hooks. A hook is forked and exec'd with nothing but
 * stdin (a pipe carrying the state JSON) and stdout/stderr (one pipe the
 * runtime reads, so a failing hook's words end up in the error). The
 * runtime waits on a pidfd with the hook's timeout and kills it when the
 * timeout passes.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "hooks.h"
#include "log.h"
#include "syscalls.h"
#include "util.h"

/* What of a hook's output is kept for the error message; the rest is read
 * and dropped so the hook never blocks on a full pipe. */
#define HOOK_OUTPUT_MAX 4096
/* In the child: 0-2 are stdio, 3 reports a failed execve to the parent. */
#define CHILD_EXEC_ERROR_FD 3

static const char *const hook_kind_names[SPEC_HOOK__COUNT] = {
    [SPEC_HOOK_PRESTART] = "prestart",
    [SPEC_HOOK_CREATE_RUNTIME] = "createRuntime",
    [SPEC_HOOK_CREATE_CONTAINER] = "createContainer",
    [SPEC_HOOK_START_CONTAINER] = "startContainer",
    [SPEC_HOOK_POSTSTART] = "poststart",
    [SPEC_HOOK_POSTSTOP] = "poststop",
};

const char *hooks_kind_name(enum spec_hook_kind kind)
{
	if ((unsigned)kind >= SPEC_HOOK__COUNT)
		return "unknown";
	return hook_kind_names[kind];
}

/* One running hook, as the parent sees it. */
struct hook_child {
	pid_t pid;
	int pidfd;
	int stdin_fd;  /* write end, non-blocking; -1 once all is written */
	int output_fd; /* read end of stdout+stderr, non-blocking; -1 at EOF */
	const char *input;
	size_t input_len, input_done;
	bool input_broken; /* the hook closed stdin early (EPIPE) */
	char output[HOOK_OUTPUT_MAX + 1];
	size_t output_len;
};

/* ---- spawning ---- */

/* Keep pipe ends clear of 0-3, where the child puts its own fds, so that
 * its dup2 calls never overwrite a source they still need. */
static int fd_above_child_fds(int fd)
{
	int moved;

	if (fd > CHILD_EXEC_ERROR_FD)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, CHILD_EXEC_ERROR_FD + 1);
	close(fd);
	return moved;
}

static int make_pipe(int fds[2], struct ctr_error *err)
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return ctr_errno(err, "pipe");
	fds[0] = fd_above_child_fds(fds[0]);
	fds[1] = fd_above_child_fds(fds[1]);
	if (fds[0] < 0 || fds[1] < 0) {
		int ret = ctr_errno(err, "pipe");
		closep(&fds[0]);
		closep(&fds[1]);
		return ret;
	}
	return 0;
}

/* Every signal back to SIG_DFL. The raw call, because glibc refuses to
 * touch its internal signals (32, 33), which a parent may pass on ignored
 * (GNU make does). An all-zero kernel sigaction is SIG_DFL on every
 * architecture, whatever its field order. */
static void reset_signal_dispositions(void)
{
	const unsigned long dfl[4] = {0};

	for (int sig = 1; sig < NSIG; sig++)
		syscall(SYS_rt_sigaction, sig, dfl, NULL, sizeof(uint64_t));
}

/* Runs in the forked child: only async-signal-safe calls from here on. */
static __attribute__((noreturn)) void hook_child_exec(const char *path, char *const argv[],
						      char *const envp[], int in_fd, int out_fd,
						      int report_fd)
{
	sigset_t none;
	int e;

	/* The hook starts with a clean slate, whatever the runtime blocked or
	 * ignored (exec resets handlers, but ignored signals stay ignored). */
	reset_signal_dispositions();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0 ||
	    dup2(report_fd, CHILD_EXEC_ERROR_FD) < 0 ||
	    fcntl(CHILD_EXEC_ERROR_FD, F_SETFD, FD_CLOEXEC) < 0)
		_exit(127);
	/* Whatever the runtime holds, CLOEXEC or not, stays out of the hook. */
	if (sys_close_range(CHILD_EXEC_ERROR_FD + 1, ~0U, 0) < 0)
		_exit(127);
	execve(path, argv, envp);
	e = errno;
	(void)!write(CHILD_EXEC_ERROR_FD, &e, sizeof(e));
	_exit(127);
}

/* 0 once the child has exec'd, or the errno of its failed execve. */
static int read_exec_result(int report_fd)
{
	int e = 0;
	ssize_t n;

	do
		n = read(report_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(e) ? e : 0;
}

/* Collect the exit status and close what is left; 0 or -errno. */
static int hook_child_reap(struct hook_child *hc, int *status)
{
	int st = 0, ret = 0;

	while (waitpid(hc->pid, &st, 0) < 0) {
		if (errno != EINTR) {
			ret = -errno;
			break;
		}
	}
	if (status)
		*status = st;
	closep(&hc->pidfd);
	closep(&hc->stdin_fd);
	closep(&hc->output_fd);
	hc->pidfd = hc->stdin_fd = hc->output_fd = -1;
	return ret;
}

static void set_nonblocking(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* The three pipes between runtime and hook: [0] read end, [1] write end. */
struct hook_pipes {
	int in[2];
	int out[2];
	int report[2];
};

static void hook_pipes_close(struct hook_pipes *p)
{
	int *fds[] = {&p->in[0], &p->in[1], &p->out[0], &p->out[1], &p->report[0], &p->report[1]};

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		closep(fds[i]);
}

static int hook_spawn(const struct spec_hook *hook, struct hook_child *hc, struct ctr_error *err)
{
	_cleanup_(hook_pipes_close) struct hook_pipes p = {{-1, -1}, {-1, -1}, {-1, -1}};
	char *default_argv[] = {hook->path, NULL};
	char *empty_env[] = {NULL};
	char *const *argv = hook->args && hook->args[0] ? hook->args : default_argv;
	char *const *envp = hook->env ? hook->env : empty_env;
	int ret, e, pidfd_errno;

	if ((ret = make_pipe(p.in, err)) < 0 || (ret = make_pipe(p.out, err)) < 0 ||
	    (ret = make_pipe(p.report, err)) < 0)
		return ret;
	hc->pid = fork();
	if (hc->pid < 0)
		return ctr_errno(err, "fork");
	if (hc->pid == 0)
		hook_child_exec(hook->path, argv, envp, p.in[0], p.out[1], p.report[1]);
	hc->pidfd = sys_pidfd_open(hc->pid, 0);
	/* Without pidfds (old kernel, valgrind) the wait falls back to polling. */
	pidfd_errno = hc->pidfd < 0 && errno != ENOSYS ? errno : 0;
	hc->stdin_fd = steal_fd(p.in[1]);
	hc->output_fd = steal_fd(p.out[0]);
	/* Our copy of the write end must go, or a successful exec never
	 * shows as EOF. */
	closep(&p.report[1]);
	p.report[1] = -1;
	e = read_exec_result(p.report[0]);
	if (e || pidfd_errno) {
		ret = e ? ctr_errnum(err, e, "exec") : ctr_errnum(err, pidfd_errno, "pidfd_open");
		kill(hc->pid, SIGKILL);
		hook_child_reap(hc, NULL);
		return ret;
	}
	set_nonblocking(hc->stdin_fd);
	set_nonblocking(hc->output_fd);
	return 0;
}

/* ---- feeding stdin and collecting output ---- */

static void hook_feed_stdin(struct hook_child *hc)
{
	while (hc->input_done < hc->input_len) {
		ssize_t n =
		    write(hc->stdin_fd, hc->input + hc->input_done, hc->input_len - hc->input_done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			/* The hook need not read its stdin: not an error. */
			hc->input_broken = errno == EPIPE;
			break;
		}
		hc->input_done += (size_t)n;
	}
	closep(&hc->stdin_fd);
	hc->stdin_fd = -1;
}

/* Read what is there now; at EOF the pipe is closed. Once the hook has
 * exited (final), a descendant may still hold the pipe and write on: stop
 * when the buffer is full instead of reading forever. */
static void hook_collect_output(struct hook_child *hc, bool final)
{
	char buf[4096];

	while (!final || hc->output_len < HOOK_OUTPUT_MAX) {
		ssize_t n = read(hc->output_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		size_t keep = HOOK_OUTPUT_MAX - hc->output_len;
		if ((size_t)n < keep)
			keep = (size_t)n;
		memcpy(hc->output + hc->output_len, buf, keep);
		hc->output_len += keep;
	}
	closep(&hc->output_fd);
	hc->output_fd = -1;
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Without a pidfd, how often the wait looks whether the hook exited. */
#define NO_PIDFD_TICK_MS 10

static bool hook_exited(struct hook_child *hc, short pidfd_events)
{
	siginfo_t info = {0};

	if (hc->pidfd >= 0)
		return pidfd_events != 0;
	/* WNOWAIT: the zombie stays for hook_child_reap to collect. */
	return waitid(P_PID, (id_t)hc->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       info.si_pid == hc->pid;
}

static int poll_timeout(const struct hook_child *hc, int64_t deadline)
{
	int64_t left = deadline < 0 ? INT32_MAX : deadline - monotonic_ms();

	if (hc->pidfd < 0 && left > NO_PIDFD_TICK_MS)
		left = NO_PIDFD_TICK_MS;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* Wait until the hook exits (1) or the deadline passes (0); -errno on a
 * poll failure. A deadline < 0 means none. */
static int hook_pump(struct hook_child *hc, int64_t deadline)
{
	for (;;) {
		struct pollfd pfd[3] = {
		    {hc->pidfd, POLLIN, 0}, {hc->output_fd, POLLIN, 0}, {hc->stdin_fd, POLLOUT, 0}};
		int timeout = poll_timeout(hc, deadline);

		if (deadline >= 0 && monotonic_ms() >= deadline)
			return 0;
		if (poll(pfd, ARRAY_SIZE(pfd), timeout) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[1].revents)
			hook_collect_output(hc, false);
		if (pfd[2].revents)
			hook_feed_stdin(hc);
		if (hook_exited(hc, pfd[0].revents))
			return 1;
	}
}

/* ---- one hook, start to finish ---- */

/* The hook's output, whitespace trimmed, for the error message. */
static const char *hook_output_text(struct hook_child *hc)
{
	char *s = hc->output;
	size_t len = hc->output_len;

	while (len > 0 && strchr(" \t\r\n", s[len - 1]))
		len--;
	s[len] = '\0';
	while (*s && strchr(" \t\r\n", *s))
		s++;
	return s;
}

static int hook_outcome(const struct spec_hook *hook, struct hook_child *hc, int status,
			bool timed_out, struct ctr_error *err)
{
	const char *output = hook_output_text(hc);
	const char *sep = *output ? ": " : "";

	if (timed_out)
		return ctr_error(err, ETIMEDOUT, "timed out after %ds%s%s", hook->timeout, sep,
				 output);
	if (WIFSIGNALED(status))
		return ctr_error(err, ECANCELED, "killed by signal %d%s%s", WTERMSIG(status), sep,
				 output);
	if (WEXITSTATUS(status) != 0)
		return ctr_error(err, ECANCELED, "exited with status %d%s%s", WEXITSTATUS(status),
				 sep, output);
	if (*output)
		ctr_debug("hook %s: %s", hook->path, output);
	return 0;
}

/* SIGPIPE is blocked while the hook's stdin is written, so a hook that
 * does not read it costs an EPIPE, not the runtime. The mask is per
 * thread and restored; a SIGPIPE raised here is consumed, one that was
 * already pending is left alone. */
struct sigpipe_guard {
	sigset_t old_mask;
	bool was_pending;
};

static void sigpipe_block(struct sigpipe_guard *g)
{
	sigset_t pipe_set, pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	g->was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &g->old_mask);
}

static void sigpipe_restore(struct sigpipe_guard *g, bool raised)
{
	static const struct timespec no_wait = {0, 0};
	sigset_t pipe_set;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if (raised && !g->was_pending)
		while (sigtimedwait(&pipe_set, NULL, &no_wait) < 0 && errno == EINTR)
			;
	pthread_sigmask(SIG_SETMASK, &g->old_mask, NULL);
}

static int hook_run_one(const struct spec_hook *hook, const char *state_json, struct ctr_error *err)
{
	struct hook_child hc = {.pidfd = -1, .stdin_fd = -1, .output_fd = -1};
	struct sigpipe_guard guard;
	int64_t deadline = hook->timeout > 0 ? monotonic_ms() + hook->timeout * 1000LL : -1;
	int ret, reaped, status = 0;

	hc.input = state_json ? state_json : "";
	hc.input_len = strlen(hc.input);
	ret = hook_spawn(hook, &hc, err);
	if (ret < 0)
		return ret;
	sigpipe_block(&guard);
	hook_feed_stdin(&hc);
	ret = hook_pump(&hc, deadline);
	sigpipe_restore(&guard, hc.input_broken);
	/* Not reaped yet, so the pid is still this hook's even without a pidfd. */
	if (ret == 0 && (hc.pidfd < 0 || sys_pidfd_send_signal(hc.pidfd, SIGKILL, NULL, 0) < 0))
		kill(hc.pid, SIGKILL);
	if (hc.output_fd >= 0)
		hook_collect_output(&hc, true);
	reaped = hook_child_reap(&hc, &status);
	if (ret < 0 || reaped < 0)
		return ctr_errnum(err, ret < 0 ? ret : reaped, "wait");
	return hook_outcome(hook, &hc, status, ret == 0, err);
}

int hooks_run(const struct spec *spec, enum spec_hook_kind kind, const char *state_json,
	      struct ctr_error *err)
{
	const struct spec_hook_list *list;

	if ((unsigned)kind >= SPEC_HOOK__COUNT)
		return ctr_error(err, EINVAL, "unknown hook kind %d", (int)kind);
	list = &spec->hooks[kind];
	for (size_t i = 0; i < list->n; i++) {
		int ret = hook_run_one(&list->hooks[i], state_json, err);
		if (ret < 0)
			return ctr_error_prefix(err, "hook %s[%zu] %s", hooks_kind_name(kind), i,
						list->hooks[i].path);
	}
	return 0;
}
