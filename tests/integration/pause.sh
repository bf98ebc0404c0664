#!/bin/bash
# pause/resume: a frozen container makes no progress and says so in `state`.
. "$(dirname "$0")/../lib.sh"

# Counts forever into /tmp/c (renamed into place: never read half-written).
COUNTER=(sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/c;
	sleep 0.02; done')

count()
{
	cat "$B/rootfs/tmp/c" 2>/dev/null || echo 0
}

counting()
{
	local a
	a=$(count)
	wait_until 3 eval '[ "$(count)" -gt "$a" ]'
}

start_counter()
{
	mkbundle "${COUNTER[@]}"
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	counting || fail "counter never started"
}

test_pause_makes_state_paused()
{
	start_counter
	rt pause "$ID"
	expect_rc 0
	rt state "$ID"
	[ "$(jq -r .status "$OUT")" = paused ] || fail "status is not paused"
}

test_paused_container_makes_no_progress()
{
	start_counter
	rt pause "$ID"
	expect_rc 0
	local a b
	a=$(count)
	sleep 0.3
	b=$(count)
	[ "$a" = "$b" ] || fail "counter went on while paused: $a -> $b"
}

test_resume_makes_container_running_and_counting_again()
{
	start_counter
	rt pause "$ID"
	expect_rc 0
	rt resume "$ID"
	expect_rc 0
	rt state "$ID"
	[ "$(jq -r .status "$OUT")" = running ] || fail "status is not running after resume"
	counting || fail "counter did not continue after resume"
}

test_paused_container_can_be_force_deleted()
{
	start_counter
	rt pause "$ID"
	expect_rc 0
	rt delete --force "$ID"
	expect_rc 0
	wait_until 5 eval '[ -z "$(procs_in "$B")" ]' || fail "processes left: $(procs_in "$B")"
	expect_nothing_left "$ID"
}

test_resume_of_running_container_fails()
{
	start_counter
	rt resume "$ID"
	[ "$RC" != 0 ] || fail "resume of a running container succeeded"
}

run_tests
