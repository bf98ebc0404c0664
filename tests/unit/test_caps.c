/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the capability name table (runtime/caps.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "caps.h"

static void knows_every_capability_up_to_checkpoint_restore(void **state)
{
	assert_int_equal(cap_table_last(), 40);
	assert_string_equal(cap_to_name(0), "CAP_CHOWN");
	assert_string_equal(cap_to_name(21), "CAP_SYS_ADMIN");
	assert_string_equal(cap_to_name(38), "CAP_PERFMON");
	assert_string_equal(cap_to_name(39), "CAP_BPF");
	assert_string_equal(cap_to_name(40), "CAP_CHECKPOINT_RESTORE");
	assert_null(cap_to_name(41));
	assert_null(cap_to_name(-1));
}

static void names_and_numbers_round_trip(void **state)
{
	for (int cap = 0; cap <= cap_table_last(); cap++)
		assert_int_equal(cap_from_name(cap_to_name(cap)), cap);
}

static void accepts_lower_case_and_names_without_prefix(void **state)
{
	assert_int_equal(cap_from_name("CAP_SYS_ADMIN"), 21);
	assert_int_equal(cap_from_name("cap_sys_admin"), 21);
	assert_int_equal(cap_from_name("SYS_ADMIN"), 21);
	assert_int_equal(cap_from_name("net_raw"), 13);
}

static void rejects_unknown_names(void **state)
{
	assert_int_equal(cap_from_name("CAP_FLY"), -EINVAL);
	assert_int_equal(cap_from_name(""), -EINVAL);
	assert_int_equal(cap_from_name("CAP_"), -EINVAL);
	assert_int_equal(cap_from_name("CAP_SYS_ADMINX"), -EINVAL);
}

static void oci_default_set_has_the_fourteen_runc_capabilities(void **state)
{
	static const char *const expected[] = {
	    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",	       "CAP_FOWNER",
	    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",	       "CAP_SETUID",
	    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
	    "CAP_KILL",	   "CAP_AUDIT_WRITE",
	};
	uint64_t mask = 0;

	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		mask |= UINT64_C(1) << cap_from_name(expected[i]);
	assert_int_equal(cap_oci_default_mask(), mask);
	assert_int_equal(__builtin_popcountll(mask), 14);
}

static void kernel_last_cap_is_plausible(void **state)
{
	int last = cap_kernel_last();

	assert_true(last >= 37 && last <= 63);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(knows_every_capability_up_to_checkpoint_restore),
	    cmocka_unit_test(names_and_numbers_round_trip),
	    cmocka_unit_test(accepts_lower_case_and_names_without_prefix),
	    cmocka_unit_test(rejects_unknown_names),
	    cmocka_unit_test(oci_default_set_has_the_fourteen_runc_capabilities),
	    cmocka_unit_test(kernel_last_cap_is_plausible),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
