/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of runtime/cli/image_config.c: an image config as config lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_native.h"
#include "cli/image_config.h"
#include "util.h"

struct root {
	char dir[64];
	int fd;
};

static void put(struct root *r, const char *path, const char *text)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", r->dir, path);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	struct root *r = xcalloc(1, sizeof(*r));
	_cleanup_free_ char *etc = NULL;

	snprintf(r->dir, sizeof(r->dir), "/tmp/ctr-unit-imgcfg-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	etc = xasprintf("%s/etc", r->dir);
	assert_int_equal(mkdir(etc, 0755), 0);
	put(r, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/app:/bin/sh\n");
	put(r, "etc/group", "root:x:0:\nstaff:x:50:\napp:x:1001:\n");
	r->fd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(r->fd >= 0);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct root *r = *state;
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", r->dir);

	close(r->fd);
	assert_int_equal(system(cmd), 0);
	free(r);
	return 0;
}

/* The lines as ctr would read them (with the image key a config needs). */
static struct native_config *lines_of(struct root *r, const struct store_image_config *cfg)
{
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *lines = NULL, *text = NULL;
	struct native_config *c = NULL;

	if (image_config_lines(cfg, r->fd, &lines, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	text = xasprintf("image = x\n%s", lines);
	assert_int_equal(config_native_parse(text, strlen(text), "t", &c, &err), 0);
	return c;
}

static void init_is_entrypoint_then_cmd_word_for_word(void **state)
{
	char *ep[] = {"/bin/sh", "-c", NULL};
	char *cmd[] = {"echo 'hi there' \"$X\" \\ back", "", "tab\there", NULL};
	struct store_image_config cfg = {.entrypoint = ep, .cmd = cmd};
	struct native_config *c = lines_of(*state, &cfg);

	assert_int_equal(strv_len(c->init), 5);
	assert_string_equal(c->init[0], "/bin/sh");
	assert_string_equal(c->init[2], cmd[0]);
	assert_string_equal(c->init[3], "");
	assert_string_equal(c->init[4], "tab\there");
	native_config_free(c);
}

static void env_cwd_and_numeric_user_are_carried(void **state)
{
	char *env[] = {"PATH=/bin", "GREETING=hello  world", NULL};
	struct store_image_config cfg = {.env = env, .working_dir = "app", .user = "33"};
	struct native_config *c = lines_of(*state, &cfg);

	assert_int_equal(strv_len(c->env), 2);
	assert_string_equal(c->env[1], "GREETING=hello  world");
	assert_string_equal(c->cwd, "/app");
	assert_true(c->has_user);
	assert_int_equal(c->uid, 33);
	assert_int_equal(c->gid, 0);
	native_config_free(c);
}

static void user_names_resolve_in_the_image(void **state)
{
	static const struct {
		const char *user;
		unsigned int uid, gid;
	} cases[] = {{"app", 1000, 1001},
		     {"app:staff", 1000, 50},
		     {"7:staff", 7, 50},
		     {"root:1001", 0, 1001}};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct store_image_config cfg = {.user = (char *)cases[i].user};
		struct native_config *c = lines_of(*state, &cfg);

		assert_int_equal(c->uid, cases[i].uid);
		assert_int_equal(c->gid, cases[i].gid);
		native_config_free(c);
	}
}

static void unknown_user_or_group_is_an_error_naming_it(void **state)
{
	struct root *r = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_image_config cfg = {.user = "nobody"};
	char *lines = NULL;

	assert_int_equal(image_config_lines(&cfg, r->fd, &lines, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no user 'nobody'"));
	cfg.user = "app:wheel";
	ctr_error_clear(&err);
	assert_int_equal(image_config_lines(&cfg, r->fd, &lines, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no group 'wheel'"));
	assert_null(lines);
}

/* An image's /etc/passwd that points at the host's is read inside the
 * image: the host's users are never looked up. */
static void passwd_symlinks_stay_inside_the_image(void **state)
{
	struct root *r = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_image_config cfg = {.user = "root"};
	_cleanup_free_ char *p = xasprintf("%s/etc/passwd", r->dir);
	char *lines = NULL;

	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("/../../../../etc/passwd", p), 0);
	assert_int_equal(image_config_lines(&cfg, r->fd, &lines, &err), -EINVAL);
	assert_null(lines);
}

static void an_empty_config_gives_no_lines(void **state)
{
	struct root *r = *state;
	struct ctr_error err = CTR_ERROR_INIT;
	struct store_image_config cfg = {0};
	_cleanup_free_ char *lines = NULL;

	assert_int_equal(image_config_lines(&cfg, r->fd, &lines, &err), 0);
	assert_string_equal(lines, "");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(init_is_entrypoint_then_cmd_word_for_word),
	    T(env_cwd_and_numeric_user_are_carried),
	    T(user_names_resolve_in_the_image),
	    T(unknown_user_or_group_is_an_error_naming_it),
	    T(passwd_symlinks_stay_inside_the_image),
	    T(an_empty_config_gives_no_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
