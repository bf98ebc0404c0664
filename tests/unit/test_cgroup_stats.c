/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the cgroup stats parsers (cgroups/stats.c): the text of
 * v1 and v2 cgroup files as the kernel writes it, turned into counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cgroups/cg_internal.h"
#include "util.h"

static void reads_a_number_and_max_as_unlimited(void **state)
{
	uint64_t v = 0;

	assert_int_equal(cg_parse_value("33554432\n", &v), 0);
	assert_int_equal(v, 33554432);
	assert_int_equal(cg_parse_value("max\n", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(cg_parse_value("\n", &v), -EINVAL);
	assert_int_equal(cg_parse_value("12abc\n", &v), -EINVAL);
}

static void finds_a_key_only_as_a_whole_word_at_line_start(void **state)
{
	const char *events = "low 0\nhigh 0\nmax 17\noom 2\noom_kill 1\noom_group_kill 0\n";
	uint64_t v = 99;

	assert_int_equal(cg_keyed_value(events, "oom_kill", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(cg_keyed_value(events, "oom", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(cg_keyed_value(events, "max", &v), 0);
	assert_int_equal(v, 17);
	assert_int_equal(cg_keyed_value(events, "kill", &v), -ENOENT);
}

static void reads_oom_kill_from_v1_oom_control(void **state)
{
	uint64_t v = 0;

	assert_int_equal(
	    cg_keyed_value("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", "oom_kill", &v), 0);
	assert_int_equal(v, 3);
}

static void merges_v1_bytes_and_ops_per_device_and_skips_totals(void **state)
{
	struct cg_stats s = {0};

	cg_parse_blkio_v1("8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 1\n8:16 Read 1\nTotal 12289\n",
			  true, &s);
	cg_parse_blkio_v1("8:0 Read 1\n8:0 Write 2\nTotal 3\n", false, &s);
	assert_int_equal(s.io.n, 2);
	assert_int_equal(s.io.devs[0].major, 8);
	assert_int_equal(s.io.devs[0].minor, 0);
	assert_int_equal(s.io.devs[0].read_bytes, 4096);
	assert_int_equal(s.io.devs[0].write_bytes, 8192);
	assert_int_equal(s.io.devs[0].read_ios, 1);
	assert_int_equal(s.io.devs[0].write_ios, 2);
	assert_int_equal(s.io.devs[1].minor, 16);
	assert_int_equal(s.io.devs[1].read_bytes, 1);
	cg_stats_free(&s);
}

static void reads_v2_io_stat_fields_in_any_order(void **state)
{
	struct cg_stats s = {0};

	cg_parse_io_v2("254:0 wbytes=20 rbytes=10 rios=1 wios=2 dbytes=0 dios=0\n"
		       "8:0 rbytes=5 wbytes=6 rios=7 wios=8\n",
		       &s);
	assert_int_equal(s.io.n, 2);
	assert_int_equal(s.io.devs[0].major, 254);
	assert_int_equal(s.io.devs[0].read_bytes, 10);
	assert_int_equal(s.io.devs[0].write_bytes, 20);
	assert_int_equal(s.io.devs[0].read_ios, 1);
	assert_int_equal(s.io.devs[0].write_ios, 2);
	assert_int_equal(s.io.devs[1].write_ios, 8);
	cg_stats_free(&s);
}

static void keeps_every_memory_stat_line_as_raw(void **state)
{
	struct cg_stats s = {0};

	cg_parse_raw("cache 4096\nrss 8192\ntotal_rss 8192\n", &s.memory.raw, &s.memory.n_raw);
	assert_int_equal(s.memory.n_raw, 3);
	assert_string_equal(s.memory.raw[1].key, "rss");
	assert_int_equal(s.memory.raw[1].value, 8192);
	cg_stats_free(&s);
	assert_int_equal(s.memory.n_raw, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reads_a_number_and_max_as_unlimited),
	    cmocka_unit_test(finds_a_key_only_as_a_whole_word_at_line_start),
	    cmocka_unit_test(reads_oom_kill_from_v1_oom_control),
	    cmocka_unit_test(merges_v1_bytes_and_ops_per_device_and_skips_totals),
	    cmocka_unit_test(reads_v2_io_stat_fields_in_any_order),
	    cmocka_unit_test(keeps_every_memory_stat_line_as_raw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
