/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for runtime/criu_pb.c (protobuf wire format), runtime/criu.c
 * (finding and checking criu) and the criu_opts checkpoint.c builds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "checkpoint_internal.h"
#include "criu.h"
#include "criu_pb.h"
#include "spec_test_helpers.h"
#include "util.h"

static void encodes_varints_as_protobuf_does(void **state)
{
	struct pb_buf b = {0};
	/* field 1 = 150: the example of protobuf's own documentation. */
	static const uint8_t want[] = {0x08, 0x96, 0x01};

	(void)state;
	pb_put_varint(&b, 1, 150);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	pb_buf_free(&b);
}

static void encodes_negative_int32_in_ten_bytes(void **state)
{
	struct pb_buf b = {0};

	(void)state;
	pb_put_int32(&b, 1, -1);
	assert_int_equal(b.len, 11); /* key + 10 bytes */
	assert_int_equal(b.data[10], 0x01);
	pb_buf_free(&b);
}

static void round_trips_strings_and_nested_messages(void **state)
{
	struct pb_buf inner = {0}, outer = {0};
	struct pb_reader r, r2;
	struct pb_field f;
	char *s;

	(void)state;
	pb_put_string(&inner, 1, "/sys/fs/cgroup");
	pb_put_int32(&inner, 2, 7);
	pb_put_varint(&outer, 1, 6);
	pb_put_msg(&outer, 23, &inner);
	pb_put_bool(&outer, 50, true);

	r = pb_reader_init(outer.data, outer.len);
	assert_int_equal(pb_next(&r, &f), 1);
	assert_int_equal(f.num, 1);
	assert_int_equal(f.varint, 6);
	assert_int_equal(pb_next(&r, &f), 1);
	assert_int_equal(f.num, 23);
	assert_int_equal(f.wire, PB_LEN);
	r2 = pb_reader_init(f.data, f.len);
	assert_int_equal(pb_next(&r2, &f), 1);
	s = pb_strdup(&f);
	assert_string_equal(s, "/sys/fs/cgroup");
	free(s);
	assert_int_equal(pb_next(&r2, &f), 1);
	assert_int_equal(f.varint, 7);
	assert_int_equal(pb_next(&r2, &f), 0);
	assert_int_equal(pb_next(&r, &f), 1);
	assert_int_equal(f.num, 50);
	assert_int_equal(f.varint, 1);
	assert_int_equal(pb_next(&r, &f), 0);
	pb_buf_free(&inner);
	pb_buf_free(&outer);
}

static void rejects_truncated_messages(void **state)
{
	static const uint8_t cut_varint[] = {0x08, 0x96};
	static const uint8_t long_len[] = {0x12, 0x05, 'a', 'b'};
	static const uint8_t group[] = {0x0b};
	struct pb_reader r;
	struct pb_field f;

	(void)state;
	r = pb_reader_init(cut_varint, sizeof(cut_varint));
	assert_int_equal(pb_next(&r, &f), -EBADMSG);
	r = pb_reader_init(long_len, sizeof(long_len));
	assert_int_equal(pb_next(&r, &f), -EBADMSG);
	r = pb_reader_init(group, sizeof(group));
	assert_int_equal(pb_next(&r, &f), -EBADMSG);
}

/* A fake criu: a script answering --version with `version` and check
 * with exit status `check_rc`, counting its runs in DIR/runs. */
static char *fake_criu(const char *dir, const char *version, int check_rc)
{
	char *path = xasprintf("%s/criu", dir);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f,
		"#!/bin/sh\necho run >>%s/runs\n"
		"case $1 in --version) echo 'Version: %s' ;; check) echo 'Error (x.c:1): no vdso'; "
		"exit %d ;; esac\n",
		dir, version, check_rc);
	fclose(f);
	chmod(path, 0755);
	return path;
}

static int count_runs(const char *dir)
{
	_cleanup_free_ char *p = xasprintf("%s/runs", dir);
	FILE *f = fopen(p, "r");
	int n = 0, c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void says_which_criu_is_too_old(void **state)
{
	char dir[] = "/tmp/ctr-unit-criu-XXXXXX";
	struct ctr_error err = CTR_ERROR_INIT;
	struct criu_bin bin = {0};
	_cleanup_free_ char *path = NULL, *want = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = fake_criu(dir, "3.17.1", 0);
	assert_int_equal(criu_find(path, -1, &bin, &err), -ENOTSUP);
	want = xasprintf("criu 3.17.1 at %s is too old: need 4.1 or later "
			 "(tests/install-criu builds it)",
			 path);
	assert_string_equal(err.msg, want);
	assert_int_equal(system(xasprintf("rm -rf %s", dir)), 0);
}

static void reports_what_criu_check_complains_about(void **state)
{
	char dir[] = "/tmp/ctr-unit-criu-XXXXXX";
	struct ctr_error err = CTR_ERROR_INIT;
	struct criu_bin bin = {0};
	_cleanup_free_ char *path = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = fake_criu(dir, "4.1.1", 1);
	assert_int_equal(criu_find(path, -1, &bin, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "criu check failed"));
	assert_non_null(strstr(err.msg, "no vdso"));
	assert_int_equal(system(xasprintf("rm -rf %s", dir)), 0);
}

static void checks_a_binary_once_then_trusts_the_cache(void **state)
{
	char dir[] = "/tmp/ctr-unit-criu-XXXXXX";
	struct ctr_error err = CTR_ERROR_INIT;
	struct criu_bin bin = {0};
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int dirfd = -1;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	path = fake_criu(dir, "4.1.1", 0);
	assert_int_equal(criu_find(path, dirfd, &bin, &err), 0);
	assert_string_equal(bin.version, "4.1.1");
	assert_string_equal(bin.path, path);
	criu_bin_free(&bin);
	assert_int_equal(count_runs(dir), 2); /* --version, check */
	assert_int_equal(criu_find(path, dirfd, &bin, &err), 0);
	assert_string_equal(bin.version, "4.1.1");
	criu_bin_free(&bin);
	assert_int_equal(count_runs(dir), 2);
	/* A replaced binary is checked again. */
	free(fake_criu(dir, "3.17.1", 0));
	assert_int_equal(criu_find(path, dirfd, &bin, &err), -ENOTSUP);
	assert_int_equal(system(xasprintf("rm -rf %s", dir)), 0);
}

/* criu that dies before answering: what it said on stderr is the error,
 * and none of it reaches ours. */
static void a_criu_that_dies_unanswered_is_quoted_in_the_error(void **state)
{
	char dir[] = "/tmp/ctr-unit-criu-XXXXXX";
	struct ctr_error err = CTR_ERROR_INIT;
	_cleanup_free_ char *path = NULL;
	struct criu_bin bin = {0};
	struct pb_buf opts = {0};
	pid_t pid;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/criu", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\necho 'starting' >&2\necho 'Error (crtools.c:1): no such option' >&2\n"
	      "exit 1\n",
	      f);
	fclose(f);
	chmod(path, 0755);
	bin.path = path;
	struct criu_call call = {.bin = &bin, .type = CRIU_REQ_DUMP, .opts = &opts};
	assert_true(criu_call(&call, &pid, &err) < 0);
	assert_non_null(strstr(err.msg, "criu exited without an answer (status 1)"));
	assert_non_null(strstr(err.msg, ": Error (crtools.c:1): no such option"));
	assert_null(strstr(err.msg, "starting"));
	assert_int_equal(system(xasprintf("rm -rf %s", dir)), 0);
}

static void names_the_search_when_nothing_is_found(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct criu_bin bin = {0};

	(void)state;
	assert_int_equal(criu_find("/nonexistent/criu", -1, &bin, &err), -ENOENT);
	assert_string_equal(err.msg, "criu at /nonexistent/criu (--criu) is not an executable");
}

/* The ext_mnt entries of an encoded criu_opts, as "key=val" lines. */
static char *ext_mounts_of(const struct pb_buf *b)
{
	struct pb_reader r = pb_reader_init(b->data, b->len);
	char *out = xstrdup("");
	struct pb_field f, kv;

	while (pb_next(&r, &f) > 0) {
		struct pb_reader r2;
		char *key = NULL, *val = NULL, *next;

		if (f.num != CRIU_OPT_EXT_MNT)
			continue;
		r2 = pb_reader_init(f.data, f.len);
		while (pb_next(&r2, &kv) > 0) {
			if (kv.num == 1)
				key = pb_strdup(&kv);
			else if (kv.num == 2)
				val = pb_strdup(&kv);
		}
		next = xasprintf("%s%s=%s\n", out, key, val);
		free(out);
		out = next;
		free(key);
		free(val);
	}
	return out;
}

static const char bind_config[] =
	"{" MINIMAL ", 'mounts': ["
	"{'destination': '/proc', 'type': 'proc', 'source': 'proc'},"
	"{'destination': '/data', 'type': 'bind', 'source': 'data', 'options': ['rbind']},"
	"{'destination': '/etc/hosts', 'source': '/srv/hosts', 'options': ['bind', 'ro']}]}";

static void bind_mounts_are_external_by_destination_at_dump(void **state)
{
	struct spec *spec = parse_ok(bind_config);
	struct pb_buf b = {0};
	char *got;

	(void)state;
	cr_put_ext_mounts(&b, spec, false);
	got = ext_mounts_of(&b);
	assert_string_equal(got, "/data=/data\n/etc/hosts=/etc/hosts\n");
	free(got);
	pb_buf_free(&b);
	spec_free(spec);
}

static void bind_mounts_come_back_from_the_specs_sources_at_restore(void **state)
{
	struct spec *spec = parse_ok(bind_config);
	struct pb_buf b = {0};
	char *got;

	(void)state;
	cr_put_ext_mounts(&b, spec, true);
	got = ext_mounts_of(&b);
	assert_string_equal(got, "/data=/bundle/data\n/etc/hosts=/srv/hosts\n");
	free(got);
	pb_buf_free(&b);
	spec_free(spec);
}

/* Whether cr_put_common asks for an orphan pty master (and sets a cgroup
 * mode) for a config whose process has terminal set as given. */
static void common_opts_of(bool terminal, bool *orphan, bool *mode)
{
	char *text = xasprintf("{" MINIMAL ", 'process': {'terminal': %s, 'args': ['sh'], "
			       "'cwd': '/', 'user': {'uid': 0, 'gid': 0}}}",
			       terminal ? "true" : "false");
	struct spec *spec = parse_ok(text);
	struct criu_common_opts c = {.manage_cgroups_mode = -1};
	struct cr_dirs d = {.image_fd = 5, .work_fd = 6, .log_name = "dump.log"};
	struct pb_buf b = {0};
	struct pb_reader r;
	struct pb_field f;

	*orphan = *mode = false;
	cr_put_common(&b, &c, &d, spec, NULL);
	r = pb_reader_init(b.data, b.len);
	while (pb_next(&r, &f) > 0) {
		*orphan |= f.num == CRIU_OPT_ORPHAN_PTS_MASTER && f.varint == 1;
		*mode |= f.num == CRIU_OPT_MANAGE_CGROUPS_MODE;
	}
	pb_buf_free(&b);
	spec_free(spec);
	free(text);
}

static void orphan_terminal_is_asked_for_only_with_a_terminal(void **state)
{
	bool orphan, mode;

	(void)state;
	common_opts_of(true, &orphan, &mode);
	assert_true(orphan);
	assert_false(mode); /* -1: criu's default */
	common_opts_of(false, &orphan, &mode);
	assert_false(orphan);
}

static void parses_runcs_cgroup_modes(void **state)
{
	(void)state;
	assert_int_equal(criu_cg_mode_parse("soft"), CRIU_CG_SOFT);
	assert_int_equal(criu_cg_mode_parse("strict"), CRIU_CG_STRICT);
	assert_int_equal(criu_cg_mode_parse("ignore"), CRIU_CG_IGNORE);
	assert_int_equal(criu_cg_mode_parse("hard"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encodes_varints_as_protobuf_does),
		cmocka_unit_test(encodes_negative_int32_in_ten_bytes),
		cmocka_unit_test(round_trips_strings_and_nested_messages),
		cmocka_unit_test(rejects_truncated_messages),
		cmocka_unit_test(says_which_criu_is_too_old),
		cmocka_unit_test(reports_what_criu_check_complains_about),
		cmocka_unit_test(checks_a_binary_once_then_trusts_the_cache),
		cmocka_unit_test(a_criu_that_dies_unanswered_is_quoted_in_the_error),
		cmocka_unit_test(names_the_search_when_nothing_is_found),
		cmocka_unit_test(bind_mounts_are_external_by_destination_at_dump),
		cmocka_unit_test(bind_mounts_come_back_from_the_specs_sources_at_restore),
		cmocka_unit_test(orphan_terminal_is_asked_for_only_with_a_terminal),
		cmocka_unit_test(parses_runcs_cgroup_modes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
