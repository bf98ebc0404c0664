/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of runtime/cli/clone_names.c: the texts a clone renames in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/clone_names.h"
#include "util.h"

static void expect(char *got, const char *want)
{
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void config_hostname_of_the_source_names_the_clone(void **state)
{
	(void)state;
	expect(clone_config_text_renamed("# web\nimage = bb\n  hostname\t=  web \ninit = x\n",
					 "web", "web2"),
	       "# web\nimage = bb\nhostname = web2\ninit = x\n");
	/* No trailing newline: the last line is renamed all the same. */
	expect(clone_config_text_renamed("hostname = web", "web", "db"), "hostname = db\n");
}

static void config_keeps_a_chosen_hostname_and_other_keys(void **state)
{
	(void)state;
	expect(clone_config_text_renamed("hostname = www\n", "web", "web2"), NULL);
	expect(clone_config_text_renamed("hostname = web.example\n", "web", "web2"), NULL);
	expect(clone_config_text_renamed("# hostname = web\nenv = hostname=web\n", "web", "x"),
	       NULL);
}

static void config_drops_the_line_when_the_clone_is_no_hostname(void **state)
{
	(void)state;
	expect(clone_config_text_renamed("image = bb\nhostname = web\n", "web", "web_2"),
	       "image = bb\n");
}

static void etc_hostname_changes_only_when_it_is_the_source_name(void **state)
{
	(void)state;
	expect(clone_hostname_renamed("web\n", "web", "web2"), "web2\n");
	expect(clone_hostname_renamed("web", "web", "web2"), "web2\n");
	expect(clone_hostname_renamed("webserver\n", "web", "web2"), NULL);
	expect(clone_hostname_renamed("web\nmore\n", "web", "web2"), NULL);
	expect(clone_hostname_renamed("", "web", "web2"), NULL);
}

static void etc_hosts_renames_whole_words_on_127_0_1_1_lines(void **state)
{
	(void)state;
	expect(clone_hosts_renamed("127.0.0.1\tlocalhost web\n127.0.1.1\tweb web.lan webx\n::1 x\n",
				   "web", "db"),
	       "127.0.0.1\tlocalhost web\n127.0.1.1\tdb web.lan webx\n::1 x\n");
	expect(clone_hosts_renamed("127.0.1.1 other\n", "web", "db"), NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(config_hostname_of_the_source_names_the_clone),
	    cmocka_unit_test(config_keeps_a_chosen_hostname_and_other_keys),
	    cmocka_unit_test(config_drops_the_line_when_the_clone_is_no_hostname),
	    cmocka_unit_test(etc_hostname_changes_only_when_it_is_the_source_name),
	    cmocka_unit_test(etc_hosts_renames_whole_words_on_127_0_1_1_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
