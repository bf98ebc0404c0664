/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of runtime/cli/templates.c: where templates are found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "cli/templates.h"
#include "util.h"

static char base[64];

static char *make_template(const char *dir, const char *name, const char *desc, mode_t mode)
{
	char *d = xasprintf("%s/%s", base, dir);
	char *p = xasprintf("%s/%s", d, name);
	FILE *f;

	mkdir(d, 0755);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n# ctr template: %s\n", name);
	if (desc)
		fprintf(f, "# description: %s\n", desc);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
	free(d);
	return p;
}

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/ctr-unit-tpl-XXXXXX");
	assert_non_null(mkdtemp(base));
	return 0;
}

static int teardown(void **state)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", base);

	(void)state;
	unsetenv("CTR_TEMPLATE_PATH");
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void set_path(const char *a, const char *b)
{
	_cleanup_free_ char *v = xasprintf("%s/%s:%s/%s", base, a, base, b);
	setenv("CTR_TEMPLATE_PATH", v, 1);
}

static void template_path_entries_are_searched_in_order(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *first = make_template("one", "web", "first", 0755);
	_cleanup_free_ char *second = make_template("two", "web", "second", 0755);
	_cleanup_free_ char *found = NULL;

	(void)state;
	set_path("one", "two");
	assert_int_equal(cli_template_find("web", &found, &err), 0);
	assert_string_equal(found, first);
	free(found);
	set_path("two", "one");
	assert_int_equal(cli_template_find("web", &found, &err), 0);
	assert_string_equal(found, second);
}

static void list_has_each_name_once_with_the_winner_and_its_description(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *a = make_template("one", "web", "first", 0755);
	_cleanup_free_ char *b = make_template("two", "web", "second", 0755);
	_cleanup_free_ char *c = make_template("two", "db", NULL, 0755);
	_cleanup_free_ char *d = make_template("two", "notes.txt", NULL, 0644);
	_cleanup_free_ char *e = make_template("two", "web~", NULL, 0755);
	struct cli_template *list = NULL;
	size_t n = 0;

	(void)state;
	set_path("one", "two");
	assert_int_equal(cli_template_list(&list, &n, &err), 0);
	/* Later directories (the installed ones, the source tree) may add
	 * more; ours come sorted and once. */
	size_t db = n, web = n;
	for (size_t i = 0; i < n; i++) {
		assert_string_not_equal(list[i].name, "notes.txt");
		assert_string_not_equal(list[i].name, "web~");
		if (!strcmp(list[i].name, "db"))
			db = i;
		if (!strcmp(list[i].name, "web")) {
			assert_int_equal(web, n);
			web = i;
		}
	}
	assert_true(db < web && web < n);
	assert_string_equal(list[web].path, a);
	assert_string_equal(list[web].description, "first");
	assert_null(list[db].description);
	cli_template_list_free(list, n);
}

static void names_with_a_slash_are_paths_and_dot_names_are_refused(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *mine = make_template("own", "mine", NULL, 0755);
	_cleanup_free_ char *plain = make_template("own", "plain", NULL, 0644);
	_cleanup_free_ char *found = NULL;

	(void)state;
	set_path("own", "none");
	assert_int_equal(cli_template_find(mine, &found, &err), 0);
	assert_string_equal(found, mine);
	assert_int_equal(cli_template_find(plain, &found, &err), -ENOENT);
	assert_int_equal(cli_template_find("plain", &found, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "unknown template 'plain'"));
	assert_int_equal(cli_template_find("..", &found, &err), -EINVAL);
	assert_int_equal(cli_template_find("", &found, &err), -EINVAL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(template_path_entries_are_searched_in_order),
	    T(list_has_each_name_once_with_the_winner_and_its_description),
	    T(names_with_a_slash_are_paths_and_dot_names_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
