#!/bin/bash
# Exit status: `run` in the foreground returns what the container's process
# returned, 128+N when a signal N ended it.
. "$(dirname "$0")/../lib.sh"

test_run_returns_0_when_process_succeeds()
{
	mkbundle true
	rt run --bundle "$B" "$ID"
	expect_rc 0
}

test_run_returns_the_process_exit_code_42()
{
	mkbundle sh -c 'exit 42'
	rt run --bundle "$B" "$ID"
	expect_rc 42
}

test_run_returns_137_when_container_is_killed_with_sigkill()
{
	mkbundle sh -c 'touch /tmp/ready; sleep 100'
	rt_bg run --bundle "$B" "$ID"
	wait_until 5 test -e "$B/rootfs/tmp/ready" || { rt_wait 1; fail "container never became ready"; }
	rt kill "$ID" KILL
	expect_rc 0
	rt_wait 10
	expect_rc 137
}

test_run_fails_and_leaves_nothing_when_the_program_is_missing()
{
	mkbundle /no/such/program
	rt run --bundle "$B" "$ID"
	[ "$RC" != 0 ] || fail "run of a missing program succeeded"
	rt delete --force "$ID"
	expect_nothing_left "$ID"
}

test_run_connects_stdout_and_stderr_of_the_process()
{
	mkbundle sh -c 'echo to-out; echo to-err >&2'
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out to-out
	expect_err_has to-err
}

run_tests
