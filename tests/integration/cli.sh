#!/bin/bash
# The front ends' frames: version, help, unknown commands, options they
# refuse, and the verbs that touch no container (spec, features).
. "$(dirname "$0")/../lib.sh"

CTR=$BUILDDIR/ctr

test_version_names_the_runtime_and_libseccomp()
{
	ctr_only "ctr-oci's version format"
	rt --version
	expect_rc 0
	expect_out_has "ctr-oci version"
	expect_out_has "libseccomp: "
}

test_unknown_command_is_one_line_and_exit_1()
{
	ctr_only "ctr-oci's error line"
	rt frobnicate
	expect_rc 1
	[ "$(wc -l <"$ERR")" -eq 1 ] || fail "expected one line on stderr: $(cat "$ERR")"
	expect_err_has "unknown command 'frobnicate'"
}

test_systemd_cgroup_without_systemd_is_refused_before_anything_is_made()
{
	ctr_only "the message names systemd"
	[ -d /run/systemd/system ] && skip "this host runs systemd"
	mkbundle true
	rt --systemd-cgroup create --bundle "$B" "$ID"
	expect_rc 1
	expect_err_has "systemd"
	expect_nothing_left "$ID"
}

test_spec_writes_a_config_that_runs_and_refuses_to_overwrite_it()
{
	local d=$T/specdir
	mkdir -p "$d"
	rt spec --bundle "$d"
	expect_rc 0
	jq -e '.process.args and .root.path == "rootfs" and .linux.namespaces' "$d/config.json" \
		>/dev/null || fail "spec output is not a config: $(cat "$d/config.json")"
	rt spec --bundle "$d"
	[ "$RC" -ne 0 ] || fail "spec overwrote an existing config.json"
}

test_features_lists_namespaces_and_hooks()
{
	rt features
	expect_rc 0
	jq -e '(.linux.namespaces | index("pid")) and (.hooks | index("poststop"))' "$OUT" \
		>/dev/null || fail "features output: $(out)"
}

test_ctr_version_and_help()
{
	ctr_only "the ctr front end"
	"$CTR" --version >"$T/v" 2>&1 || fail "ctr --version failed: $(cat "$T/v")"
	grep -q "^ctr version" "$T/v" || fail "ctr --version printed: $(cat "$T/v")"
	"$CTR" --help >"$T/h" 2>&1 || fail "ctr --help failed"
	grep -q "usage: ctr" "$T/h" || fail "ctr --help printed: $(cat "$T/h")"
}

test_ctr_unknown_command_is_a_usage_error()
{
	ctr_only "the ctr front end"
	local rc=0
	"$CTR" frobnicate >"$T/o" 2>"$T/e" || rc=$?
	[ "$rc" -eq 2 ] || fail "exit code $rc, expected 2"
	[ "$(wc -l <"$T/e")" -eq 1 ] || fail "expected one line: $(cat "$T/e")"
	grep -q "unknown command 'frobnicate'" "$T/e" || fail "stderr: $(cat "$T/e")"
}

run_tests
