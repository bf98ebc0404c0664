/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/syscalls.h"
#include "runtime/util.h"

static int memfd_with(const char *text)
{
	int fd = sys_memfd_create("test-util", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, text, strlen(text)), 0);
	return fd;
}

static void last_line_skips_trailing_newlines(void **state)
{
	_cleanup_close_ int fd = memfd_with("starting\nError (x.c:1): no such option\r\n\n");
	_cleanup_free_ char *line = fd_last_line(fd);

	(void)state;
	assert_string_equal(line, "Error (x.c:1): no such option");
}

static void last_line_of_nothing_is_null(void **state)
{
	_cleanup_close_ int fd = memfd_with("\n\n");

	(void)state;
	assert_null(fd_last_line(fd));
	assert_null(fd_last_line(-1));
}

static void last_line_comes_from_the_end_of_long_output(void **state)
{
	_cleanup_close_ int fd = sys_memfd_create("test-util", MFD_CLOEXEC);
	char filler[100];
	_cleanup_free_ char *line = NULL;

	(void)state;
	memset(filler, 'x', sizeof(filler) - 1);
	filler[sizeof(filler) - 1] = '\n';
	for (int i = 0; i < 200; i++) /* 20 KB */
		assert_int_equal(write_all(fd, filler, sizeof(filler)), 0);
	assert_int_equal(write_all(fd, "the end\n", 8), 0);
	line = fd_last_line(fd);
	assert_string_equal(line, "the end");
}

static void wait_gives_exit_status_or_128_plus_signal(void **state)
{
	pid_t pid = fork();

	(void)state;
	if (pid == 0)
		_exit(7);
	assert_int_equal(wait_exit_status(pid), 7);
	pid = fork();
	if (pid == 0) {
		raise(SIGKILL);
		_exit(0);
	}
	assert_int_equal(wait_exit_status(pid), 128 + SIGKILL);
	assert_int_equal(wait_exit_status(pid), -ECHILD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(last_line_skips_trailing_newlines),
		cmocka_unit_test(last_line_of_nothing_is_null),
		cmocka_unit_test(last_line_comes_from_the_end_of_long_output),
		cmocka_unit_test(wait_gives_exit_status_or_128_plus_signal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
