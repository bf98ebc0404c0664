/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for runtime/opts.c and runtime/sync.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "opts.h"
#include "sync.h"
#include "util.h"

enum { T_DETACH, T_BUNDLE, T_ENV, T_TTY };

static const struct opt_def defs[] = {
	{"detach", 'd', false, T_DETACH, "detach"},
	{"bundle", 'b', true, T_BUNDLE, "bundle"},
	{"env", 'e', true, T_ENV, "env"},
	{"tty", 't', false, T_TTY, "tty"},
	{NULL, 0, false, 0, NULL},
};

struct seen {
	bool detach, tty;
	const char *bundle;
	int n_env;
};

static int record(void *data, int id, const char *value, struct ctr_error *err)
{
	struct seen *s = data;

	switch (id) {
	case T_DETACH: s->detach = true; break;
	case T_TTY: s->tty = true; break;
	case T_BUNDLE: s->bundle = value; break;
	case T_ENV: s->n_env++; break;
	}
	return 0;
}

static int parse(struct seen *s, struct ctr_error *err, int argc, ...)
{
	char *argv[16];
	va_list ap;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	memset(s, 0, sizeof(*s));
	return opts_parse(defs, argc, argv, record, s, err);
}

static void long_option_takes_next_word_as_value(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct seen s;

	assert_int_equal(parse(&s, &err, 3, "--bundle", "/b", "id"), 2);
	assert_string_equal(s.bundle, "/b");
}

static void long_option_accepts_equals_form(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct seen s;

	assert_int_equal(parse(&s, &err, 2, "--bundle=/x", "id"), 1);
	assert_string_equal(s.bundle, "/x");
}

static void short_flags_cluster_and_last_takes_value(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct seen s;

	assert_int_equal(parse(&s, &err, 3, "-dtb", "/b", "id"), 2);
	assert_true(s.detach);
	assert_true(s.tty);
	assert_string_equal(s.bundle, "/b");
}

static void parsing_stops_at_first_positional(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct seen s;

	/* exec ID ls -la: "-la" belongs to the command, not to us. */
	assert_int_equal(parse(&s, &err, 4, "-t", "id", "ls", "-la"), 1);
	assert_true(s.tty);
}

static void double_dash_ends_options(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct seen s;

	assert_int_equal(parse(&s, &err, 3, "--", "-d", "x"), 1);
	assert_false(s.detach);
}

static void repeated_option_is_reported_each_time(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct seen s;

	assert_int_equal(parse(&s, &err, 5, "-e", "A=1", "--env", "B=2", "id"), 4);
	assert_int_equal(s.n_env, 2);
}

static void unknown_option_is_named_in_error(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct seen s;

	assert_true(parse(&s, &err, 2, "--bogus", "id") < 0);
	assert_string_equal(err.msg, "unknown option '--bogus'");
}

static void missing_value_is_an_error(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct seen s;

	assert_true(parse(&s, &err, 1, "--bundle") < 0);
	assert_non_null(strstr(err.msg, "needs a value"));
}

static void boolean_accepts_true_and_false_values(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct seen s;

	assert_int_equal(parse(&s, &err, 2, "--detach=false", "id"), 1);
	assert_false(s.detach);
	assert_int_equal(parse(&s, &err, 2, "--detach=true", "id"), 1);
	assert_true(s.detach);
}

static void sync_message_carries_text_and_fd(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct sync_msg msg;
	int sv[2], fd = -1, received = -1;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	fd = dup(STDIN_FILENO);
	assert_int_equal(sync_send(sv[0], SYNC_PTY, 7, "/dev/pts/3", fd), 0);
	assert_int_equal(sync_recv(sv[1], &msg, &received), 0);
	assert_int_equal(msg.type, SYNC_PTY);
	assert_int_equal(msg.value, 7);
	assert_string_equal(msg.text, "/dev/pts/3");
	assert_true(received >= 0);
	close(received);
	close(fd);
	/* An error from the child becomes the parent's error message. */
	ctr_error(&err, EACCES, "mount /proc in rootfs");
	sync_send_error(sv[0], &err);
	ctr_error_clear(&err);
	assert_int_equal(sync_expect(sv[1], SYNC_READY, NULL, &err), -EACCES);
	assert_string_equal(err.msg, "mount /proc in rootfs");
	/* EOF: the child died. */
	close(sv[0]);
	assert_int_equal(sync_expect(sv[1], SYNC_READY, NULL, &err), -EPIPE);
	close(sv[1]);
}

static void error_prefix_reads_outermost_first(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;

	errno = EPERM;
	ctr_errno(&err, "mount /proc in rootfs");
	ctr_error_prefix(&err, "start %s", "web");
	assert_string_equal(err.msg, "start web: mount /proc in rootfs: Operation not permitted");
	assert_int_equal(err.code, EPERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(long_option_takes_next_word_as_value),
		cmocka_unit_test(long_option_accepts_equals_form),
		cmocka_unit_test(short_flags_cluster_and_last_takes_value),
		cmocka_unit_test(parsing_stops_at_first_positional),
		cmocka_unit_test(double_dash_ends_options),
		cmocka_unit_test(repeated_option_is_reported_each_time),
		cmocka_unit_test(unknown_option_is_named_in_error),
		cmocka_unit_test(missing_value_is_an_error),
		cmocka_unit_test(boolean_accepts_true_and_false_values),
		cmocka_unit_test(sync_message_carries_text_and_fd),
		cmocka_unit_test(error_prefix_reads_outermost_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
