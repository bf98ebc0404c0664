/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_wait.c - `ctr wait NAME [--booted] [--timeout S]`.
 *
 * Without --booted: returns once the container has stopped (at once if it
 * is not running).
 *
 * With --booted: returns once the container's init says it has finished
 * booting. What "booted" means depends on the init:
 *   - systemd: its boot is over, the system is "running" or "degraded"
 *     (`systemctl is-system-running --wait` in the container, which
 *     returns when systemd announces StartupFinished, the moment it would
 *     send READY=1 to a container manager's $NOTIFY_SOCKET). Any other
 *     final state (maintenance, stopping) is an error naming it.
 *   - any other init (busybox init, a shell) reports nothing: booted is
 *     "its init is running".
 * The init is systemd when its executable is named systemd.
 *
 * Exit status: 0; EXIT_TIMEOUT (3) when --timeout seconds passed first;
 * 1 on error (not running, or systemd ended in a state that is not up).
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "syscalls.h"
#include "util.h"
#include "verbs.h"

/* Between two attempts to reach a systemd whose bus is not up yet. */
#define RETRY_MS 10

enum { W_BOOTED, W_TIMEOUT };

static const struct opt_def wait_table[] = {
    {"booted", 'b', false, W_BOOTED, "until the init has finished booting"},
    {"timeout", 't', true, W_TIMEOUT, "give up after S seconds (exit status 3)"},
    {NULL, 0, false, 0, NULL},
};

struct wait_args {
	bool booted;
	int timeout_ms; /* -1: none */
};

static int wait_option(void *data, int id, const char *value, struct ctr_error *err)
{
	struct wait_args *a = data;
	uint64_t s;

	if (id == W_BOOTED) {
		a->booted = true;
		return 0;
	}
	if (parse_u64(value, &s) < 0 || s > 86400)
		return ctr_error(err, EINVAL, "--timeout: not a number of seconds: '%s'", value);
	a->timeout_ms = (int)s * 1000;
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* -1 for no deadline; 0 once it has passed. */
static int left_ms(long long deadline)
{
	long long left;

	if (deadline < 0)
		return -1;
	left = deadline - now_ms();
	return left > 0 ? (int)left : 0;
}

static bool init_is_systemd(pid_t pid)
{
	char link[64], exe[PATH_MAX];
	ssize_t n;
	const char *base;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
	return strcmp(base, "systemd") == 0;
}

/* The forked child: cmd in the container, stdout into out_fd, stderr
 * dropped; its exit status is the command's (255: could not run it). */
static _Noreturn void exec_child(struct cli_ctx *c, const char *name, char *const *cmd, int out_fd)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct spec *spec = NULL;
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int code = 255;

	dup2(out_fd, STDOUT_FILENO);
	if (null >= 0)
		dup2(null, STDERR_FILENO);
	if (container_config(&c->rt, name, &spec, &err) == 0) {
		struct exec_opts o = {.id = name, .process = &spec->process};

		strv_free(spec->process.args);
		spec->process.args = strv_dup(cmd);
		spec->process.terminal = false;
		if (container_exec(&c->rt, &o, &code, &err) < 0)
			code = 255;
	}
	_exit(code);
}

/* cmd's first line of output in out; *timed_out when the deadline came
 * first (the child, and through it the command, then get SIGTERM). */
static int exec_capture(struct cli_ctx *c, const char *name, char *const *cmd, char *out,
			size_t size, long long deadline, bool *timed_out, struct ctr_error *err)
{
	_cleanup_close_ int pidfd = -1;
	int pipefd[2];
	size_t got = 0;
	pid_t pid;

	*timed_out = false;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ctr_errno(err, "pipe");
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return ctr_errno(err, "fork");
	}
	if (pid == 0)
		exec_child(c, name, cmd, pipefd[1]);
	close(pipefd[1]);
	pidfd = sys_pidfd_open(pid, 0);
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	if (pidfd >= 0 && poll(&p, 1, left_ms(deadline)) == 0) {
		*timed_out = true;
		kill(pid, SIGTERM);
	}
	for (ssize_t n; got < size - 1 && (n = read(pipefd[0], out + got, size - 1 - got)) > 0;)
		got += (size_t)n;
	close(pipefd[0]);
	out[got] = '\0';
	out[strcspn(out, "\n")] = '\0';
	waitpid(pid, NULL, 0);
	return 0;
}

static int wait_systemd(struct cli_ctx *c, const char *name, long long deadline,
			struct ctr_error *err)
{
	char *const cmd[] = {"systemctl", "is-system-running", "--wait", NULL};
	char state[64];

	for (;;) {
		bool timed_out;
		int ret =
		    exec_capture(c, name, cmd, state, sizeof(state), deadline, &timed_out, err);

		if (ret < 0)
			return ret;
		if (strcmp(state, "running") == 0 || strcmp(state, "degraded") == 0)
			return 0;
		if (timed_out || left_ms(deadline) == 0)
			return EXIT_TIMEOUT;
		if (!cli_is_live(cli_status(c, name, NULL)))
			return ctr_error(err, ESRCH, "container '%s' stopped while booting", name);
		if (strcmp(state, "maintenance") == 0 || strcmp(state, "stopping") == 0)
			return ctr_error(err, EIO, "%s: systemd is %s", name, state);
		/* "offline" or nothing: its bus is not up yet. */
		poll(NULL, 0, RETRY_MS);
	}
}

static int wait_booted(struct cli_ctx *c, const char *name, int timeout_ms, struct ctr_error *err)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	pid_t pid = 0;

	if (!cli_is_live(cli_status(c, name, &pid)) || pid <= 0)
		return ctr_error(err, ESRCH, "container '%s' is not running", name);
	if (!init_is_systemd(pid))
		return 0;
	return wait_systemd(c, name, deadline, err);
}

int cmd_wait(struct ctr_globals *g, int argc, char **argv, struct ctr_error *err)
{
	_cleanup_cli_ctx_ struct cli_ctx c = {0};
	struct wait_args a = {.timeout_ms = -1};
	const char *name;
	int ret;

	ret = cli_parse_name(wait_table, argc, argv, wait_option, &a, &name, err);
	if (ret < 0 || (ret = cli_ctx_open(g, &c, true, err)) < 0 ||
	    (ret = cli_check_exists(&c, name, err)) < 0)
		return ret;
	if (a.booted)
		return wait_booted(&c, name, a.timeout_ms, err);
	ret = cli_wait_stopped(&c, name, a.timeout_ms, err);
	if (ret == -ETIMEDOUT) {
		ctr_error_clear(err);
		return EXIT_TIMEOUT;
	}
	return ret;
}
