/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hooks under test are /bin/sh scripts and this program itself: run as
 * `test_hooks --hook-helper MODE FILE` (or with CTR_HOOK_HELPER=MODE:FILE in
 * its environment when it gets no arguments) it writes what the hook saw to
 * FILE: its open fds, its environment, its argv or its signal state.
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>

#include "runtime/hooks.h"
#include "runtime/util.h"

extern char **environ;

static char self_exe[4096];
static char tmpdir[64];

/* ---- the helper hook ---- */

static void helper_list_fds(FILE *out)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d)
		exit(10);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		fprintf(out, "%s\n", de->d_name);
	}
	closedir(d);
}

/* The SigBlk and SigIgn lines of /proc/self/status. */
static void helper_signals(FILE *out)
{
	FILE *status = fopen("/proc/self/status", "re");
	char line[256];

	if (!status)
		exit(10);
	while (fgets(line, sizeof(line), status))
		if (str_has_prefix(line, "SigBlk:") || str_has_prefix(line, "SigIgn:"))
			fputs(line, out);
	fclose(status);
}

static int run_helper(const char *mode, const char *file, char **argv)
{
	/* Build the report in memory first: opening FILE would add an fd. */
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (strcmp(mode, "fds") == 0)
		helper_list_fds(out);
	else if (strcmp(mode, "env") == 0)
		for (char **e = environ; *e; e++)
			fprintf(out, "%s\n", *e);
	else if (strcmp(mode, "signals") == 0)
		helper_signals(out);
	else if (strcmp(mode, "argv") == 0)
		for (char **a = argv; *a; a++)
			fprintf(out, "%s\n", *a);
	else
		return 11;
	fclose(out);
	FILE *f = fopen(file, "we");
	if (!f)
		return 12;
	fwrite(buf, 1, len, f);
	return fclose(f) == 0 ? 0 : 13;
}

/* ---- running hooks ---- */

struct hook_def {
	const char *path;
	const char *const *args; /* NULL-terminated, or NULL */
	const char *const *env;
	int timeout;
};

/* Runs the hooks as spec->hooks[kind]; the spec is built here and freed. */
static int run_hooks(enum spec_hook_kind kind, const struct hook_def *defs, size_t n,
		     const char *state_json, struct ctr_error *err)
{
	struct spec *spec = xzalloc(sizeof(*spec));
	struct spec_hook *hooks = xcalloc(n, sizeof(*hooks));
	int ret;

	for (size_t i = 0; i < n; i++) {
		hooks[i].path = (char *)defs[i].path;
		hooks[i].args = (char **)defs[i].args;
		hooks[i].env = (char **)defs[i].env;
		hooks[i].timeout = defs[i].timeout;
	}
	spec->hooks[kind].hooks = hooks;
	spec->hooks[kind].n = n;
	ret = hooks_run(spec, kind, state_json, err);
	free(hooks);
	free(spec);
	return ret;
}

static int run_one(const struct hook_def *def, const char *state_json, struct ctr_error *err)
{
	return run_hooks(SPEC_HOOK_CREATE_RUNTIME, def, 1, state_json, err);
}

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static char *slurp(const char *path)
{
	struct ctr_error err = CTR_ERROR_INIT;
	char *text = NULL;

	assert_int_equal(read_file_at(AT_FDCWD, path, &text, NULL, &err), 0);
	return text;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* No child of ours is left unreaped. */
static void assert_no_children(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* Runs this program as the hook (see the top of the file) and returns what
 * it reported in file. */
static char *run_reporting_hook(const char *const *args, const char *const *env, const char *file)
{
	struct hook_def def = {self_exe, args, env, 5};
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(run_one(&def, "{}", &err), 0);
	return slurp(file);
}

/* ---- tests ---- */

static void names_hook_kinds_as_the_runtime_spec(void **state)
{
	static const char *const names[SPEC_HOOK__COUNT] = {
	    "prestart",	      "createRuntime", "createContainer",
	    "startContainer", "poststart",     "poststop",
	};

	for (int k = 0; k < SPEC_HOOK__COUNT; k++)
		assert_string_equal(hooks_kind_name((enum spec_hook_kind)k), names[k]);
}

static void empty_hook_list_succeeds(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(run_hooks(SPEC_HOOK_PRESTART, NULL, 0, "{}", &err), 0);
}

static void successful_hook_returns_zero(void **state)
{
	static const char *const args[] = {"true", NULL};
	struct hook_def def = {"/bin/true", args, NULL, 0};
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(run_one(&def, "{}", &err), 0);
	assert_false(ctr_error_isset(&err));
	assert_no_children();
}

/* A failed hook's message says how it ended, then what it printed (stdout
 * and stderr, whitespace trimmed). */
static void failure_message_says_how_the_hook_ended(void **state)
{
	static const struct {
		const char *script;
		const char *msg;
	} cases[] = {
	    {"echo '  it broke' >&2; exit 3", "exited with status 3: it broke"},
	    {"echo from-stdout; exit 1", "exited with status 1: from-stdout"},
	    {"exit 7", "exited with status 7"},
	    {"kill -9 $$", "killed by signal 9"},
	    {"echo going; kill -TERM $$", "killed by signal 15: going"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *const args[] = {"sh", "-c", cases[i].script, NULL};
		struct hook_def def = {"/bin/sh", args, NULL, 0};
		struct ctr_error err = CTR_ERROR_INIT;
		_cleanup_free_ char *want =
		    xasprintf("hook createRuntime[0] /bin/sh: %s", cases[i].msg);

		assert_true(run_one(&def, "{}", &err) < 0);
		assert_string_equal(err.msg, want);
		assert_no_children();
	}
}

static void first_failure_stops_the_list_and_is_named_by_index(void **state)
{
	_cleanup_free_ char *marker = tmp_path("third-ran");
	_cleanup_free_ char *script = xasprintf("/bin/touch %s", marker);
	const char *const ok[] = {"true", NULL};
	const char *const fail[] = {"sh", "-c", "exit 4", NULL};
	const char *const third[] = {"sh", "-c", script, NULL};
	struct hook_def defs[] = {
	    {"/bin/true", ok, NULL, 0},
	    {"/bin/sh", fail, NULL, 0},
	    {"/bin/sh", third, NULL, 0},
	};
	struct ctr_error err = CTR_ERROR_INIT;

	assert_true(run_hooks(SPEC_HOOK_POSTSTART, defs, 3, "{}", &err) < 0);
	assert_string_equal(err.msg, "hook poststart[1] /bin/sh: exited with status 4");
	assert_int_equal(access(marker, F_OK), -1);
}

static void hook_past_its_timeout_is_killed(void **state)
{
	static const char *const args[] = {"sleep", "5", NULL};
	struct hook_def def = {"/bin/sleep", args, NULL, 1};
	struct ctr_error err = CTR_ERROR_INIT;
	double start = now_seconds(), took;

	assert_int_equal(run_one(&def, "{}", &err), -ETIMEDOUT);
	took = now_seconds() - start;
	assert_true(took >= 0.9 && took < 2.5);
	assert_string_equal(err.msg, "hook createRuntime[0] /bin/sleep: timed out after 1s");
	assert_no_children();
}

/* The hook is done when it exits, not when every descendant has closed
 * its output. */
static void descendant_holding_output_does_not_delay_the_hook(void **state)
{
	static const char *const args[] = {"sh", "-c", "(sleep 2; echo late) & echo early; exit 1",
					   NULL};
	struct hook_def def = {"/bin/sh", args, NULL, 10};
	struct ctr_error err = CTR_ERROR_INIT;
	double start = now_seconds();

	assert_true(run_one(&def, "{}", &err) < 0);
	assert_true(now_seconds() - start < 1.5);
	assert_string_equal(err.msg, "hook createRuntime[0] /bin/sh: exited with status 1: early");
}

static void missing_hook_binary_reports_exec_error(void **state)
{
	struct hook_def def = {"/nonexistent/ctr-hook", NULL, NULL, 0};
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(run_hooks(SPEC_HOOK_PRESTART, &def, 1, "{}", &err), -ENOENT);
	assert_string_equal(
	    err.msg, "hook prestart[0] /nonexistent/ctr-hook: exec: No such file or directory");
	assert_no_children();
}

static void state_json_reaches_hook_stdin(void **state)
{
	_cleanup_free_ char *file = tmp_path("stdin");
	_cleanup_free_ char *script = xasprintf("/bin/cat > %s", file);
	_cleanup_free_ char *got = NULL;
	const char *const args[] = {"sh", "-c", script, NULL};
	struct hook_def def = {"/bin/sh", args, NULL, 0};
	const char *json = "{\"ociVersion\":\"1.0.2\",\"id\":\"web\",\"status\":\"creating\"}";
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(run_one(&def, json, &err), 0);
	got = slurp(file);
	assert_string_equal(got, json);
}

static char *big_json(size_t size)
{
	char *s = xmalloc(size + 1);

	memset(s, 'x', size);
	s[0] = '"';
	s[size - 1] = '"';
	s[size] = '\0';
	return s;
}

/* More than a pipe holds: the runtime must feed it while the hook reads. */
static void large_state_json_reaches_hook_whole(void **state)
{
	_cleanup_free_ char *file = tmp_path("stdin-big");
	_cleanup_free_ char *script = xasprintf("/bin/cat > %s", file);
	_cleanup_free_ char *json = big_json(1 << 20);
	_cleanup_free_ char *got = NULL;
	const char *const args[] = {"sh", "-c", script, NULL};
	struct hook_def def = {"/bin/sh", args, NULL, 5};
	struct ctr_error err = CTR_ERROR_INIT;

	assert_int_equal(run_one(&def, json, &err), 0);
	got = slurp(file);
	assert_int_equal(strlen(got), 1 << 20);
	assert_string_equal(got, json);
}

static void hook_closing_stdin_does_not_kill_runtime(void **state)
{
	/* The hook closes stdin and lives on, so the runtime's writes fail
	 * with EPIPE while it still waits. */
	static const char *const args[] = {"sh", "-c", "exec 0<&-; sleep 0.3", NULL};
	struct hook_def def = {"/bin/sh", args, NULL, 5};
	_cleanup_free_ char *json = big_json(1 << 20);
	struct ctr_error err = CTR_ERROR_INIT;
	struct sigaction before, after;
	sigset_t mask_before, mask_after, pending;

	sigaction(SIGPIPE, NULL, &before);
	sigprocmask(SIG_SETMASK, NULL, &mask_before);
	assert_int_equal(run_one(&def, json, &err), 0);
	/* Still here, and nothing process-wide changed. */
	sigaction(SIGPIPE, NULL, &after);
	sigprocmask(SIG_SETMASK, NULL, &mask_after);
	sigpending(&pending);
	assert_ptr_equal(before.sa_handler, after.sa_handler);
	assert_int_equal(sigismember(&mask_before, SIGPIPE), sigismember(&mask_after, SIGPIPE));
	assert_false(sigismember(&pending, SIGPIPE));
}

static void hook_gets_exactly_its_env(void **state)
{
	_cleanup_free_ char *file = tmp_path("env");
	_cleanup_free_ char *got = NULL;
	const char *const args[] = {"helper", "--hook-helper", "env", file, NULL};
	const char *const env[] = {"FOO=bar baz", "EMPTY=", NULL};

	got = run_reporting_hook(args, env, file);
	assert_string_equal(got, "FOO=bar baz\nEMPTY=\n");
}

static void hook_without_env_gets_empty_environment(void **state)
{
	_cleanup_free_ char *file = tmp_path("noenv");
	_cleanup_free_ char *got = NULL;
	const char *const args[] = {"helper", "--hook-helper", "env", file, NULL};

	got = run_reporting_hook(args, NULL, file);
	assert_string_equal(got, "");
}

static void hook_args_are_its_argv(void **state)
{
	_cleanup_free_ char *file = tmp_path("argv");
	_cleanup_free_ char *got = NULL;
	const char *const args[] = {"custom-argv0", "--hook-helper", "argv", file, "x y", NULL};
	_cleanup_free_ char *want = xasprintf("custom-argv0\n--hook-helper\nargv\n%s\nx y\n", file);

	got = run_reporting_hook(args, NULL, file);
	assert_string_equal(got, want);
}

static void hook_without_args_gets_path_as_argv(void **state)
{
	_cleanup_free_ char *file = tmp_path("noargs");
	_cleanup_free_ char *envvar = xasprintf("CTR_HOOK_HELPER=argv:%s", file);
	_cleanup_free_ char *got = NULL;
	_cleanup_free_ char *want = xasprintf("%s\n", self_exe);
	const char *const env[] = {envvar, NULL};

	got = run_reporting_hook(NULL, env, file);
	assert_string_equal(got, want);
}

static void no_runtime_fd_leaks_into_hook(void **state)
{
	_cleanup_free_ char *file = tmp_path("fds");
	_cleanup_free_ char *got = NULL;
	const char *const args[] = {"helper", "--hook-helper", "fds", file, NULL};
	/* One fd without CLOEXEC, as a careless library might leave. */
	int leaky = open("/dev/null", O_RDONLY);
	_cleanup_close_ int careful = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(leaky >= 3 && careful >= 3);
	got = run_reporting_hook(args, NULL, file);
	close(leaky);
	assert_string_equal(got, "0\n1\n2\n");
}

static void hook_starts_with_no_signal_blocked_or_ignored(void **state)
{
	_cleanup_free_ char *file = tmp_path("signals");
	_cleanup_free_ char *got = NULL;
	const char *const args[] = {"helper", "--hook-helper", "signals", file, NULL};
	struct sigaction ignore = {.sa_handler = SIG_IGN}, old_term;
	sigset_t usr1, old_mask;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigaction(SIGTERM, &ignore, &old_term);
	sigprocmask(SIG_BLOCK, &usr1, &old_mask);
	got = run_reporting_hook(args, NULL, file);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	assert_string_equal(got, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

static void endless_output_is_capped_in_message(void **state)
{
	static const char *const args[] = {"sh", "-c",
					   "i=0; while [ $i -lt 5000 ]; do echo "
					   "line-$i-xxxxxxxxxxxxxxxx; i=$((i+1)); done; exit 2",
					   NULL};
	struct hook_def def = {"/bin/sh", args, NULL, 20};
	struct ctr_error err = CTR_ERROR_INIT;

	assert_true(run_one(&def, "{}", &err) < 0);
	assert_true(str_has_prefix(err.msg,
				   "hook createRuntime[0] /bin/sh: exited with status 2: line-0-"));
	assert_true(strlen(err.msg) < sizeof(err.msg));
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(int argc, char **argv)
{
	const char *helper = getenv("CTR_HOOK_HELPER");
	ssize_t n;

	if (argc >= 4 && strcmp(argv[1], "--hook-helper") == 0)
		return run_helper(argv[2], argv[3], argv);
	if (helper && strchr(helper, ':')) {
		char *mode = xstrndup(helper, (size_t)(strchr(helper, ':') - helper));
		return run_helper(mode, strchr(helper, ':') + 1, argv);
	}

	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n <= 0)
		return 1;
	self_exe[n] = '\0';
	strcpy(tmpdir, "/tmp/ctr-state-hooks.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;

	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(names_hook_kinds_as_the_runtime_spec),
	    cmocka_unit_test(empty_hook_list_succeeds),
	    cmocka_unit_test(successful_hook_returns_zero),
	    cmocka_unit_test(failure_message_says_how_the_hook_ended),
	    cmocka_unit_test(first_failure_stops_the_list_and_is_named_by_index),
	    cmocka_unit_test(hook_past_its_timeout_is_killed),
	    cmocka_unit_test(descendant_holding_output_does_not_delay_the_hook),
	    cmocka_unit_test(missing_hook_binary_reports_exec_error),
	    cmocka_unit_test(state_json_reaches_hook_stdin),
	    cmocka_unit_test(large_state_json_reaches_hook_whole),
	    cmocka_unit_test(hook_closing_stdin_does_not_kill_runtime),
	    cmocka_unit_test(hook_gets_exactly_its_env),
	    cmocka_unit_test(hook_without_env_gets_empty_environment),
	    cmocka_unit_test(hook_args_are_its_argv),
	    cmocka_unit_test(hook_without_args_gets_path_as_argv),
	    cmocka_unit_test(no_runtime_fd_leaks_into_hook),
	    cmocka_unit_test(hook_starts_with_no_signal_blocked_or_ignored),
	    cmocka_unit_test(endless_output_is_capped_in_message),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return failed;
}
