/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for runtime/cli/container.c: editing config text and parsing
 * the verbs' arguments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "cli/verbs.h"
#include "util.h"

static char *set(const char *text, const char *key, const char *value)
{
	char *t = text ? xstrdup(text) : NULL;

	cli_config_set(&t, key, value);
	return t;
}

static void replaces_an_existing_key_in_place(void **state)
{
	char *t = set("image = a\ninit = /sbin/init\nhostname = x\n", "init", "/bin/sh");

	(void)state;
	assert_string_equal(t, "image = a\ninit = /bin/sh\nhostname = x\n");
	free(t);
}

static void appends_a_key_the_text_lacks(void **state)
{
	char *t = set("image = a\n", "autostart", "true");

	(void)state;
	assert_string_equal(t, "image = a\nautostart = true\n");
	free(t);
}

static void starts_a_new_line_when_the_text_lacks_a_final_newline(void **state)
{
	char *t = set("image = a", "hostname", "h");

	(void)state;
	assert_string_equal(t, "image = a\nhostname = h\n");
	free(t);
}

static void adds_another_line_for_a_repeatable_key(void **state)
{
	char *t = set("env = A=1\n", "env", "B=2");

	(void)state;
	assert_string_equal(t, "env = A=1\nenv = B=2\n");
	free(t);
}

static void leaves_comments_and_longer_keys_alone(void **state)
{
	char *t = set("# init = old\ninitial = x\n", "init", "/bin/sh");

	(void)state;
	assert_string_equal(t, "# init = old\ninitial = x\ninit = /bin/sh\n");
	free(t);
}

static void replaces_a_key_written_without_spaces(void **state)
{
	char *t = set("limits.memory=1G\n", "limits.memory", "2G");

	(void)state;
	assert_string_equal(t, "limits.memory = 2G\n");
	free(t);
}

static void starts_from_no_text(void **state)
{
	char *t = set(NULL, "image", "busybox");

	(void)state;
	assert_string_equal(t, "image = busybox\n");
	free(t);
}

static void splits_an_assignment_at_the_first_equals(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	char *k = NULL, *v = NULL;

	(void)state;
	assert_int_equal(cli_split_assignment("env=A=1", &k, &v, &err), 0);
	assert_string_equal(k, "env");
	assert_string_equal(v, "A=1");
	free(k);
	free(v);
}

static void rejects_an_assignment_without_key_or_equals(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	char *k = NULL, *v = NULL;

	(void)state;
	assert_int_equal(cli_split_assignment("=x", &k, &v, &err), -EINVAL);
	assert_int_equal(cli_split_assignment("novalue", &k, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "expected key=value"));
}

static const struct opt_def defs[] = {
    {"force", 'f', false, 0, "force"},
    {NULL, 0, false, 0, NULL},
};

static int count_force(void *data, int id, const char *value, struct ctr_error *err)
{
	(void)id;
	(void)value;
	(void)err;
	(*(int *)data)++;
	return 0;
}

static void takes_options_before_and_after_the_name(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	char *argv[] = {"-f", "web", "--force", NULL};
	const char *name = NULL;
	int forced = 0;

	(void)state;
	assert_int_equal(cli_parse_name(defs, 3, argv, count_force, &forced, &name, &err), 0);
	assert_string_equal(name, "web");
	assert_int_equal(forced, 2);
}

static void keeps_what_follows_a_double_dash(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	char *argv[] = {"web", "--", "ls", "-f", NULL};
	struct cli_args a;
	int forced = 0;

	(void)state;
	assert_int_equal(cli_parse(defs, 4, argv, count_force, &forced, &a, &err), 0);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.rest, 2);
	assert_int_equal(forced, 0);
}

static void rejects_a_second_name_and_a_bad_one(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	char *two[] = {"a", "b", NULL};
	char *bad[] = {"a/b", NULL};
	const char *name;

	(void)state;
	assert_int_equal(cli_parse_name(defs, 2, two, count_force, NULL, &name, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "unexpected argument 'b'"));
	assert_int_equal(cli_parse_name(defs, 1, bad, count_force, NULL, &name, &err), -EINVAL);
	assert_int_equal(cli_parse_name(defs, 0, bad, count_force, NULL, &name, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(replaces_an_existing_key_in_place),
	    cmocka_unit_test(appends_a_key_the_text_lacks),
	    cmocka_unit_test(starts_a_new_line_when_the_text_lacks_a_final_newline),
	    cmocka_unit_test(adds_another_line_for_a_repeatable_key),
	    cmocka_unit_test(leaves_comments_and_longer_keys_alone),
	    cmocka_unit_test(replaces_a_key_written_without_spaces),
	    cmocka_unit_test(starts_from_no_text),
	    cmocka_unit_test(splits_an_assignment_at_the_first_equals),
	    cmocka_unit_test(rejects_an_assignment_without_key_or_equals),
	    cmocka_unit_test(takes_options_before_and_after_the_name),
	    cmocka_unit_test(keeps_what_follows_a_double_dash),
	    cmocka_unit_test(rejects_a_second_name_and_a_bad_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
