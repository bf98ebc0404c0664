/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process_test_child.h - the process tests change what a process is
 * (limits, user, capabilities, seccomp), so each case runs in a forked
 * child that writes a fixed-size report back through a pipe.
 */
#ifndef CTR_PROCESS_TEST_CHILD_H
#define CTR_PROCESS_TEST_CHILD_H

#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* Runs in the child: writes its report to fd; may exit itself. */
typedef void (*child_report_fn)(int fd, void *arg);

/* Forks, runs fn in the child, reads len bytes of report, reaps the child. */
static void run_child_report(child_report_fn fn, void *arg, void *report, size_t len)
{
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		fn(fds[1], arg);
		_exit(0);
	}
	close(fds[1]);
	memset(report, 0, len);
	assert_int_equal(read_all(fds[0], report, len), (ssize_t)len);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

#endif
