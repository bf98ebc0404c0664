/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of linux.seccomp parsing (runtime/spec_oci_seccomp.c). */
#include <linux/seccomp.h>
#include <seccomp.h>

#include "spec_test_helpers.h"

#define SECCOMP(body) "{" MINIMAL ", 'linux': {'seccomp': {" body "}}}"

static struct spec_seccomp *seccomp_of(struct spec *spec)
{
	assert_non_null(spec->linux.seccomp);
	return spec->linux.seccomp;
}

static void folds_each_action_into_its_libseccomp_value(void **state)
{
	static const struct {
		const char *name;
		uint32_t value;
	} cases[] = {
	    {"SCMP_ACT_KILL", SCMP_ACT_KILL},
	    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
	    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
	    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
	    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(EPERM)},
	    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(EPERM)},
	    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
	    {"SCMP_ACT_LOG", SCMP_ACT_LOG},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *json =
		    xasprintf(SECCOMP("'defaultAction': '%s', 'syscalls': [{'names': "
				      "['read'], 'action': '%s'}]"),
			      cases[i].name, cases[i].name);
		struct spec *spec = parse_ok(json);

		assert_int_equal(seccomp_of(spec)->default_action, cases[i].value);
		assert_int_equal(seccomp_of(spec)->rules[0].action, cases[i].value);
		spec_free(spec);
	}
}

static void errno_actions_carry_their_errno(void **state)
{
	struct spec *spec = parse_ok(SECCOMP(
	    "'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38, 'syscalls': [{'names': "
	    "['mount', 'umount2'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1}, {'names': "
	    "['ptrace'], 'action': 'SCMP_ACT_ERRNO'}, {'names': ['x'], 'action': "
	    "'SCMP_ACT_TRACE', 'errnoRet': 7}]"));
	struct spec_seccomp *s = seccomp_of(spec);

	assert_int_equal(s->default_action, SCMP_ACT_ERRNO(ENOSYS));
	assert_int_equal(s->n_rules, 3);
	assert_string_equal(s->rules[0].names[1], "umount2");
	assert_null(s->rules[0].names[2]);
	assert_int_equal(s->rules[0].action, SCMP_ACT_ERRNO(1));
	assert_int_equal(s->rules[1].action, SCMP_ACT_ERRNO(EPERM));
	assert_int_equal(s->rules[2].action, SCMP_ACT_TRACE(7));
	spec_free(spec);
}

static void rejects_errno_on_actions_without_one(void **state)
{
	parse_fails(SECCOMP("'defaultAction': 'SCMP_ACT_ALLOW', 'defaultErrnoRet': 1"),
		    "config.json: linux.seccomp.defaultErrnoRet: only allowed with SCMP_ACT_ERRNO "
		    "or SCMP_ACT_TRACE");
}

static void rejects_unknown_actions_and_missing_default(void **state)
{
	parse_fails(SECCOMP("'syscalls': []"),
		    "config.json: linux.seccomp.defaultAction: required");
	parse_fails(SECCOMP("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['a']}, "
			    "{'names': ['b'], 'action': 'SCMP_ACT_MAYBE'}]"),
		    "config.json: linux.seccomp.syscalls[0].action: required");
	parse_fails(SECCOMP("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['b'], "
			    "'action': 'SCMP_ACT_MAYBE'}]"),
		    "config.json: linux.seccomp.syscalls[0].action: unknown action "
		    "'SCMP_ACT_MAYBE'");
	parse_fails(SECCOMP("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': [], "
			    "'action': 'SCMP_ACT_LOG'}]"),
		    "config.json: linux.seccomp.syscalls[0].names: must not be empty");
}

static void resolves_architectures_through_libseccomp(void **state)
{
	struct spec *spec = parse_ok(SECCOMP("'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': "
					     "['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', "
					     "'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64']"));
	struct spec_seccomp *s = seccomp_of(spec);

	assert_int_equal(s->n_archs, 4);
	assert_int_equal(s->archs[0], SCMP_ARCH_X86_64);
	assert_int_equal(s->archs[1], SCMP_ARCH_X86);
	assert_int_equal(s->archs[2], SCMP_ARCH_X32);
	assert_int_equal(s->archs[3], SCMP_ARCH_AARCH64);
	spec_free(spec);
	parse_fails(SECCOMP("'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86', "
			    "'SCMP_ARCH_VAX']"),
		    "config.json: linux.seccomp.architectures[1]: unknown architecture "
		    "'SCMP_ARCH_VAX'");
}

static void parses_filter_flags(void **state)
{
	struct spec *spec =
	    parse_ok(SECCOMP("'defaultAction': 'SCMP_ACT_ALLOW', 'flags': "
			     "['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW']"));

	assert_int_equal(seccomp_of(spec)->flags,
			 SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	spec_free(spec);
	parse_fails(SECCOMP("'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['FAST']"),
		    "config.json: linux.seccomp.flags[0]: unknown flag 'FAST'");
}

static void parses_argument_comparisons(void **state)
{
	struct spec *spec = parse_ok(
	    SECCOMP("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['personality'], "
		    "'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': 4294967295, 'op': "
		    "'SCMP_CMP_EQ'}, {'index': 5, 'value': 255, 'valueTwo': 16, 'op': "
		    "'SCMP_CMP_MASKED_EQ'}]}]"));
	const struct spec_seccomp_rule *r = &seccomp_of(spec)->rules[0];

	assert_int_equal(r->n_args, 2);
	assert_int_equal(r->args[0].index, 0);
	assert_int_equal(r->args[0].value, 4294967295u);
	assert_int_equal(r->args[0].op, SCMP_CMP_EQ);
	assert_int_equal(r->args[1].index, 5);
	assert_int_equal(r->args[1].value_two, 16);
	assert_int_equal(r->args[1].op, SCMP_CMP_MASKED_EQ);
	spec_free(spec);
	parse_fails(
	    SECCOMP("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['a'], "
		    "'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 6, 'value': 1, 'op': "
		    "'SCMP_CMP_EQ'}]}]"),
	    "config.json: linux.seccomp.syscalls[0].args[0].index: must be between 0 and 5");
	parse_fails(SECCOMP("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['a'], "
			    "'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 1, 'value': 1, 'op': "
			    "'SCMP_CMP_ABOUT'}]}]"),
		    "config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator "
		    "'SCMP_CMP_ABOUT'");
}

static void notify_needs_a_listener_and_cannot_be_default(void **state)
{
	struct spec *spec =
	    parse_ok(SECCOMP("'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/run/l.sock', "
			     "'listenerMetadata': 'm', 'syscalls': [{'names': ['mount'], 'action': "
			     "'SCMP_ACT_NOTIFY'}]"));

	assert_int_equal(seccomp_of(spec)->rules[0].action, SCMP_ACT_NOTIFY);
	assert_string_equal(seccomp_of(spec)->listener_path, "/run/l.sock");
	assert_string_equal(seccomp_of(spec)->listener_metadata, "m");
	spec_free(spec);
	parse_fails(SECCOMP("'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '', 'syscalls': "
			    "[{'names': ['mount'], 'action': 'SCMP_ACT_NOTIFY'}]"),
		    "config.json: linux.seccomp.listenerPath: required when an action is "
		    "SCMP_ACT_NOTIFY");
	parse_fails(SECCOMP("'defaultAction': 'SCMP_ACT_NOTIFY', 'listenerPath': '/l'"),
		    "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the "
		    "default");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(folds_each_action_into_its_libseccomp_value),
	    cmocka_unit_test(errno_actions_carry_their_errno),
	    cmocka_unit_test(rejects_errno_on_actions_without_one),
	    cmocka_unit_test(rejects_unknown_actions_and_missing_default),
	    cmocka_unit_test(resolves_architectures_through_libseccomp),
	    cmocka_unit_test(parses_filter_flags),
	    cmocka_unit_test(parses_argument_comparisons),
	    cmocka_unit_test(notify_needs_a_listener_and_cannot_be_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
