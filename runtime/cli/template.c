/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * template.c - finding and running a template (templates/busybox explains
 * the interface: TEMPLATE ROOTFS NAME [-- OPTIONS], config lines on stdout,
 * errors on stderr).
 *
 * Search order: every directory of $CTR_TEMPLATE_PATH, the installed
 * pkgdatadir/templates, then the source tree's templates/ (an uninstalled
 * build). A name with a '/' is a path to the program itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscalls.h"
#include "template.h"
#include "util.h"

static char *find_in(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);

	if (access(path, X_OK) == 0)
		return path;
	free(path);
	return NULL;
}

int template_find(const char *name, char **path, struct ctr_error *err)
{
	const char *env = getenv("CTR_TEMPLATE_PATH");
	const char *builtin[] = {CTR_TEMPLATEDIR, CTR_SRCDIR "/templates"};

	if (strchr(name, '/')) {
		if (access(name, X_OK) < 0)
			return ctr_errno(err, "template %s", name);
		*path = xstrdup(name);
		return 0;
	}
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return ctr_error(err, EINVAL, "invalid template name '%s'", name);
	if (env) {
		_cleanup_free_ char *dirs = xstrdup(env);
		char *save = NULL;

		for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save))
			if ((*path = find_in(d, name)))
				return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(builtin); i++)
		if ((*path = find_in(builtin[i], name)))
			return 0;
	return ctr_error(err, ENOENT, "unknown template '%s' (see $CTR_TEMPLATE_PATH)", name);
}

/* The child: stdin from /dev/null, stdout the pipe, stderr ours. */
static _Noreturn void exec_template(char **argv, int out)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0)
		_exit(127);
	execv(argv[0], argv);
	dprintf(STDERR_FILENO, "ctr: run template %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static char **template_argv(const char *path, const char *rootfs, const char *name,
			    char *const *opts)
{
	char **argv = NULL;

	strv_append(&argv, path);
	strv_append(&argv, rootfs);
	strv_append(&argv, name);
	strv_append(&argv, "--");
	for (size_t i = 0; opts && opts[i]; i++)
		strv_append(&argv, opts[i]);
	return argv;
}

static char *read_all_text(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap);

	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (cap - len < 1024)
			buf = xrealloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	return buf;
}

/* The template runs as init of its own pid namespace, killed when ctr
 * dies (PDEATHSIG): the kernel then kills everything it started, so a
 * killed `ctr create` leaves no process writing into the staging area the
 * store is about to remove. */
static pid_t fork_template(void)
{
	struct clone_args args = {.flags = CLONE_NEWPID, .exit_signal = SIGCHLD};

	return (pid_t)sys_clone3(&args);
}

int template_run(const char *path, const char *rootfs, const char *name, char *const *opts,
		 char **output, struct ctr_error *err)
{
	_cleanup_strv_ char **argv = template_argv(path, rootfs, name, opts);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	_cleanup_free_ char *out = NULL;
	int pipefd[2], status;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ctr_errno(err, "pipe");
	pid = fork_template();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return ctr_errno(err, "fork");
	}
	if (pid == 0)
		exec_template(argv, pipefd[1]);
	close(pipefd[1]);
	out = read_all_text(pipefd[0]);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ctr_errno(err, "wait for template %s", base);
	if (WIFSIGNALED(status))
		return ctr_error(err, EIO, "template %s killed by signal %d", base,
				 WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		return ctr_error(err, EIO, "template %s failed (exit status %d)", base,
				 WEXITSTATUS(status));
	*output = steal_ptr(out);
	return 0;
}
