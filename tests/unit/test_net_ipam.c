/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of netns/ipam.c: leases of a bridge's addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns/ipam.h"
#include "util.h"

static struct ipam_pool pool24(void)
{
	struct ipam_pool p = {.prefix = 24};

	inet_pton(AF_INET, "10.0.3.1", &p.bridge);
	return p;
}

static const char *str(struct in_addr a)
{
	static char buf[4][INET_ADDRSTRLEN];
	static int at;

	at = (at + 1) % 4;
	return inet_ntop(AF_INET, &a, buf[at], sizeof(buf[at]));
}

static struct in_addr addr(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static struct in_addr assign_ok(struct ipam_table *t, const struct ipam_pool *p, const char *name,
				unsigned int index, const struct in_addr *want)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct in_addr a;

	if (ipam_assign(t, p, name, index, want, false, &a, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	return a;
}

static void hands_out_the_lowest_free_address_but_the_bridges(void **state)
{
	struct ipam_table t = {0};
	struct ipam_pool p = pool24();

	assert_string_equal(str(assign_ok(&t, &p, "a", 0, NULL)), "10.0.3.2");
	assert_string_equal(str(assign_ok(&t, &p, "b", 0, NULL)), "10.0.3.3");
	assert_string_equal(str(assign_ok(&t, &p, "a", 1, NULL)), "10.0.3.4");
	ipam_table_free(&t);
}

static void a_container_keeps_its_address(void **state)
{
	struct ipam_table t = {0};
	struct ipam_pool p = pool24();
	struct in_addr first;

	assign_ok(&t, &p, "a", 0, NULL);
	first = assign_ok(&t, &p, "b", 0, NULL);
	assign_ok(&t, &p, "c", 0, NULL);
	assert_int_equal(assign_ok(&t, &p, "b", 0, NULL).s_addr, first.s_addr);
	assert_int_equal(t.n, 3);
	ipam_table_free(&t);
}

static void a_released_address_is_reused(void **state)
{
	struct ipam_table t = {0};
	struct ipam_pool p = pool24();

	assign_ok(&t, &p, "a", 0, NULL);
	assign_ok(&t, &p, "b", 0, NULL);
	assert_int_equal(ipam_drop_name(&t, "a"), 1);
	assert_string_equal(str(assign_ok(&t, &p, "c", 0, NULL)), "10.0.3.2");
	ipam_table_free(&t);
}

static void static_addresses_are_reserved(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct ipam_table t = {0};
	struct ipam_pool p = pool24();
	struct in_addr want = addr("10.0.3.2"), got;

	assert_string_equal(str(assign_ok(&t, &p, "s", 0, &want)), "10.0.3.2");
	/* never handed out, and refused to anyone else */
	assert_string_equal(str(assign_ok(&t, &p, "a", 0, NULL)), "10.0.3.3");
	assert_int_equal(ipam_assign(&t, &p, "b", 0, &want, false, &got, &err), -EADDRINUSE);
	assert_string_equal(err.msg, "10.0.3.2 is in use by container s (net.0)");
	ipam_table_free(&t);
}

static void a_static_address_taken_by_a_lease_is_refused(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct ipam_table t = {0};
	struct ipam_pool p = pool24();
	struct in_addr want = addr("10.0.3.2"), got;

	assign_ok(&t, &p, "a", 0, NULL);
	assert_int_equal(ipam_assign(&t, &p, "b", 0, &want, false, &got, &err), -EADDRINUSE);
	want = p.bridge;
	assert_int_equal(ipam_assign(&t, &p, "b", 0, &want, false, &got, &err), -EADDRINUSE);
	assert_string_equal(err.msg, "10.0.3.1 is the bridge's own address");
	ipam_table_free(&t);
}

static void a_static_address_elsewhere_takes_no_lease(void **state)
{
	struct ipam_table t = {0};
	struct ipam_pool p = pool24();
	struct in_addr want = addr("192.168.7.9");

	assign_ok(&t, &p, "a", 0, NULL);
	assert_string_equal(str(assign_ok(&t, &p, "a", 0, &want)), "192.168.7.9");
	assert_int_equal(t.n, 0); /* its old lease is given back */
	ipam_table_free(&t);
}

static void a_full_pool_is_an_error(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct ipam_table t = {0};
	struct ipam_pool p = {.prefix = 30};
	struct in_addr got;

	p.bridge = addr("10.9.0.1");
	assert_string_equal(str(assign_ok(&t, &p, "a", 0, NULL)), "10.9.0.2");
	assert_int_equal(ipam_assign(&t, &p, "b", 0, NULL, false, &got, &err), -ENOSPC);
	ipam_table_free(&t);
}

static void a_lease_outside_a_changed_pool_is_replaced(void **state)
{
	struct ipam_table t = {0};
	struct ipam_pool p = pool24(), other = {.prefix = 24};

	other.bridge = addr("10.7.0.1");
	assign_ok(&t, &p, "a", 0, NULL);
	assert_string_equal(str(assign_ok(&t, &other, "a", 0, NULL)), "10.7.0.2");
	assert_int_equal(t.n, 1);
	ipam_table_free(&t);
}

static void leases_format_and_parse_back(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct ipam_table t = {0}, back = {0};
	struct ipam_pool p = pool24();
	struct in_addr want = addr("10.0.3.50"), got;
	_cleanup_free_ char *text = NULL;

	assign_ok(&t, &p, "web", 0, NULL);
	assert_int_equal(ipam_assign(&t, &p, "db", 2, &want, true, &got, &err), 0);
	t.bridge_index = 7;
	text = ipam_format(&t);
	assert_non_null(strstr(text, "#bridge 7\n"));
	assert_non_null(strstr(text, "10.0.3.2 web 0 auto\n"));
	assert_non_null(strstr(text, "10.0.3.50 db 2 static nat\n"));
	assert_int_equal(ipam_parse(text, &back, &err), 0);
	assert_int_equal(back.n, 2);
	assert_int_equal(back.bridge_index, 7);
	assert_true(back.v[1].is_static && back.v[1].nat && back.v[1].index == 2);
	assert_true(ipam_wants_nat(&back));
	ipam_drop_name(&back, "db");
	assert_false(ipam_wants_nat(&back));
	ipam_table_free(&t);
	ipam_table_free(&back);
}

static void rejects_a_damaged_lease_file(void **state)
{
	struct ctr_error err = CTR_ERROR_INIT;
	struct ipam_table t = {0};

	assert_int_equal(ipam_parse("# c\n10.0.3.300 web 0 auto\n", &t, &err), -EINVAL);
	assert_string_equal(err.msg, "leases:2: expected ADDRESS CONTAINER N auto|static [nat]");
	assert_int_equal(ipam_parse("10.0.3.3 web 0 dynamic\n", &t, &err), -EINVAL);
	assert_int_equal(t.n, 0);
}

/* 20 processes each take a lease from the same file at once. */
static void parallel_takers_get_distinct_addresses(void **state)
{
	char dir[] = "/tmp/ctr-test-ipam-XXXXXX";
	struct ctr_error err = CTR_ERROR_INIT;
	struct ipam_pool p = pool24();
	struct ipam_file f;
	int status;

	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 20; i++) {
		if (fork() == 0) {
			char name[16];
			struct in_addr a;

			snprintf(name, sizeof(name), "c%d", i);
			if (ipam_open(dir, "br", &f, &err) < 0 ||
			    ipam_assign(&f.table, &p, name, 0, NULL, false, &a, &err) < 0 ||
			    ipam_commit(&f, &err) < 0)
				_exit(1);
			ipam_close(&f);
			_exit(0);
		}
	}
	for (int i = 0; i < 20; i++) {
		assert_true(wait(&status) > 0);
		assert_int_equal(status, 0);
	}
	assert_int_equal(ipam_open(dir, "br", &f, &err), 0);
	assert_int_equal(f.table.n, 20);
	for (size_t i = 0; i < f.table.n; i++)
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(f.table.v[i].addr.s_addr, f.table.v[j].addr.s_addr);
	ipam_close(&f);
	{
		_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hands_out_the_lowest_free_address_but_the_bridges),
	    cmocka_unit_test(a_container_keeps_its_address),
	    cmocka_unit_test(a_released_address_is_reused),
	    cmocka_unit_test(static_addresses_are_reserved),
	    cmocka_unit_test(a_static_address_taken_by_a_lease_is_refused),
	    cmocka_unit_test(a_static_address_elsewhere_takes_no_lease),
	    cmocka_unit_test(a_full_pool_is_an_error),
	    cmocka_unit_test(a_lease_outside_a_changed_pool_is_replaced),
	    cmocka_unit_test(leases_format_and_parse_back),
	    cmocka_unit_test(rejects_a_damaged_lease_file),
	    cmocka_unit_test(parallel_takers_get_distinct_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
