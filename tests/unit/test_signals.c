/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the signal name table (runtime/signals.c). */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "signals.h"

static void accepts_names_with_and_without_sig_prefix(void **state)
{
	assert_int_equal(signal_parse("KILL"), SIGKILL);
	assert_int_equal(signal_parse("SIGKILL"), SIGKILL);
	assert_int_equal(signal_parse("kill"), SIGKILL);
	assert_int_equal(signal_parse("sigterm"), SIGTERM);
	assert_int_equal(signal_parse("USR1"), SIGUSR1);
	assert_int_equal(signal_parse("WINCH"), SIGWINCH);
	assert_int_equal(signal_parse("IOT"), SIGABRT);
	assert_int_equal(signal_parse("CLD"), SIGCHLD);
}

static void accepts_numbers_in_range(void **state)
{
	assert_int_equal(signal_parse("9"), 9);
	assert_int_equal(signal_parse("15"), 15);
	assert_int_equal(signal_parse("1"), 1);
	assert_int_equal(signal_parse("64"), SIGRTMAX);
	assert_int_equal(signal_parse("0"), -EINVAL);
	assert_int_equal(signal_parse("65"), -EINVAL);
	assert_int_equal(signal_parse("9x"), -EINVAL);
	assert_int_equal(signal_parse("-9"), -EINVAL);
}

static void accepts_realtime_offsets(void **state)
{
	assert_int_equal(signal_parse("RTMIN"), SIGRTMIN);
	assert_int_equal(signal_parse("RTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(signal_parse("SIGRTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(signal_parse("SIGRTMAX-2"), SIGRTMAX - 2);
	assert_int_equal(signal_parse("rtmax"), SIGRTMAX);
	assert_int_equal(signal_parse("RTMIN-1"), -EINVAL);
	assert_int_equal(signal_parse("RTMAX+1"), -EINVAL);
	assert_int_equal(signal_parse("RTMIN+99"), -EINVAL);
	assert_int_equal(signal_parse("RTMIN+"), -EINVAL);
}

static void rejects_unknown_names(void **state)
{
	assert_int_equal(signal_parse("SIGFOO"), -EINVAL);
	assert_int_equal(signal_parse(""), -EINVAL);
	assert_int_equal(signal_parse("SIG"), -EINVAL);
	assert_int_equal(signal_parse(NULL), -EINVAL);
}

static void names_signals_canonically(void **state)
{
	assert_string_equal(signal_name(SIGKILL), "SIGKILL");
	assert_string_equal(signal_name(SIGCHLD), "SIGCHLD");
	assert_string_equal(signal_name(SIGABRT), "SIGABRT");
	assert_string_equal(signal_name(SIGRTMIN), "SIGRTMIN");
	assert_string_equal(signal_name(SIGRTMIN + 3), "SIGRTMIN+3");
	assert_null(signal_name(0));
	assert_null(signal_name(SIGRTMAX + 1));
}

static void every_name_parses_back_to_its_number(void **state)
{
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		const char *name = signal_name(sig);

		assert_non_null(name);
		assert_int_equal(signal_parse(name), sig);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(accepts_names_with_and_without_sig_prefix),
	    cmocka_unit_test(accepts_numbers_in_range),
	    cmocka_unit_test(accepts_realtime_offsets),
	    cmocka_unit_test(rejects_unknown_names),
	    cmocka_unit_test(names_signals_canonically),
	    cmocka_unit_test(every_name_parses_back_to_its_number),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
