#!/bin/bash
# Missing ids: what containerd, podman and the runtime-tools probes rely on.
# `delete --force` is idempotent; the other verbs fail with runc's wording.
. "$(dirname "$0")/../lib.sh"

MISSING=ctrt-missing-$$

test_delete_force_of_missing_container_exits_0()
{
	rt delete --force "$MISSING"
	expect_rc 0
}

test_delete_of_missing_container_fails_with_does_not_exist()
{
	rt delete "$MISSING"
	expect_rc 1
	expect_err_has "container does not exist"
}

test_state_of_missing_container_fails_with_does_not_exist()
{
	rt state "$MISSING"
	expect_rc 1
	expect_err_has "container does not exist"
}

test_kill_of_missing_container_fails_with_does_not_exist()
{
	rt kill "$MISSING" KILL
	expect_rc 1
	expect_err_has "container does not exist"
}

test_start_of_missing_container_fails_with_does_not_exist()
{
	rt start "$MISSING"
	expect_rc 1
	expect_err_has "container does not exist"
}

test_delete_force_twice_after_a_container_is_gone_exits_0()
{
	mkbundle true
	rt run --bundle "$B" "$ID"
	expect_rc 0
	rt delete --force "$ID"
	expect_rc 0
	rt delete --force "$ID"
	expect_rc 0
}

test_error_is_written_as_json_to_the_log_file()
{
	rt --log "$T/log.json" --log-format json state "$MISSING"
	expect_rc 1
	[ -s "$T/log.json" ] || fail "nothing written to --log $T/log.json"
	tail -n1 "$T/log.json" | jq -e '.level == "error" and (.msg | test("container does not exist"))
		and (.time | type == "string")' >/dev/null ||
		fail "last log line is not an error record: $(tail -n1 "$T/log.json")"
}

test_error_is_also_on_stderr_with_a_json_log()
{
	rt --log "$T/log.json" --log-format json state "$MISSING"
	expect_rc 1
	expect_err_has "container does not exist"
}

test_error_on_stderr_is_one_line()
{
	ctr_only "runc prints logrus records"
	rt state "$MISSING"
	expect_rc 1
	[ "$(wc -l <"$ERR")" = 1 ] || fail "stderr has $(wc -l <"$ERR") lines"
}

run_tests
