/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process_exec: PATH lookup and runc's error wording. Failing execs run in
 * the test process (process_exec returns); succeeding ones in a child.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "process.h"
#include "util.h"

struct fixture {
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = xzalloc(sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/ctr-process-test-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", f->dir);

	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void write_script(const char *path, const char *body, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, body, strlen(body)), 0);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static char *make_dir(const struct fixture *f, const char *name)
{
	char *path = xasprintf("%s/%s", f->dir, name);

	assert_int_equal(mkdir(path, 0755), 0);
	return path;
}

/* Runs process_exec in a child; returns its exit code (255: exec failed). */
static int exec_in_child(char **args, char **env)
{
	struct spec_process p = {.args = args, .env = env};
	struct ctr_error err = CTR_ERROR_INIT;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		process_exec(&p, &err);
		_exit(255);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void finds_program_in_the_spec_env_path(void **state)
{
	char *args[] = {"sh", "-c", "exit 42", NULL};
	char *env[] = {"HOME=/", "PATH=/nonexistent:/bin", NULL};

	assert_int_equal(exec_in_child(args, env), 42);
}

static void skips_non_executable_files_and_directories_in_path(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *d1 = make_dir(f, "d1"), *d2 = make_dir(f, "d2"),
			    *d3 = make_dir(f, "d3");
	_cleanup_free_ char *p1 = xasprintf("%s/prog", d1), *p2 = xasprintf("%s/prog", d2);
	_cleanup_free_ char *p3 = xasprintf("%s/prog", d3);
	_cleanup_free_ char *path = xasprintf("PATH=%s:%s:%s", d1, d2, d3);
	char *args[] = {"prog", NULL};
	char *env[] = {path, NULL};

	write_script(p1, "#!/bin/sh\nexit 1\n", 0644);
	assert_int_equal(mkdir(p2, 0755), 0);
	write_script(p3, "#!/bin/sh\nexit 7\n", 0755);
	assert_int_equal(exec_in_child(args, env), 7);
}

static void uses_default_path_without_path_in_env(void **state)
{
	char *args[] = {"sh", "-c", "exit 3", NULL};

	assert_int_equal(exec_in_child(args, NULL), 3);
}

static void passes_exactly_the_spec_env(void **state)
{
	char *args[] = {"/bin/sh", "-c", "test \"$CTR_X\" = y && test -z \"$HOME\"", NULL};
	char *env[] = {"CTR_X=y", NULL};

	assert_int_equal(exec_in_child(args, env), 0);
}

static void reports_program_missing_from_path_like_runc(void **state)
{
	char *args[] = {"ctr-no-such-program", NULL};
	char *env[] = {"PATH=/nonexistent:/bin", NULL};
	struct spec_process p = {.args = args, .env = env};
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(process_exec(&p, &err), -ENOENT);
	assert_string_equal(err.msg,
			    "exec: \"ctr-no-such-program\": executable file not found in $PATH");
}

static void reports_non_executable_path_as_permission_denied(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *prog = xasprintf("%s/noexec", f->dir);
	_cleanup_free_ char *want = xasprintf("exec: \"%s\": permission denied", prog);
	char *args[] = {prog, NULL};
	struct spec_process p = {.args = args};
	struct ctr_error err = CTR_ERROR_INIT;

	write_script(prog, "#!/bin/sh\n", 0644);
	if (geteuid() == 0)
		assert_int_equal(chmod(prog, 0644), 0); /* root still needs one x bit */
	assert_int_equal(process_exec(&p, &err), -EACCES);
	assert_string_equal(err.msg, want);
}

static void reports_missing_absolute_path_as_no_such_file(void **state)
{
	char *args[] = {"/nonexistent/ctr-x", NULL};
	struct spec_process p = {.args = args};
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(process_exec(&p, &err), -ENOENT);
	assert_string_equal(err.msg, "exec: \"/nonexistent/ctr-x\": no such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(finds_program_in_the_spec_env_path),
	    cmocka_unit_test_setup_teardown(skips_non_executable_files_and_directories_in_path,
					    setup, teardown),
	    cmocka_unit_test(uses_default_path_without_path_in_env),
	    cmocka_unit_test(passes_exactly_the_spec_env),
	    cmocka_unit_test(reports_program_missing_from_path_like_runc),
	    cmocka_unit_test_setup_teardown(reports_non_executable_path_as_permission_denied, setup,
					    teardown),
	    cmocka_unit_test(reports_missing_absolute_path_as_no_such_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
