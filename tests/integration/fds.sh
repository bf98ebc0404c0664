#!/bin/bash
# File descriptors: nothing the caller has open beyond stdio reaches the
# container unless --preserve-fds asks for it.
. "$(dirname "$0")/../lib.sh"

# `ls` inside lists its own directory fd (3) besides stdio.
EXPECTED_FDS=$'0\n1\n2\n3'

open_stray_fds()
{
	exec 5>"$T/stray5" 7</dev/null 9<"$B/config.json"
}

test_no_caller_fd_leaks_into_a_container_started_by_run()
{
	mkbundle sh -c 'ls /proc/self/fd; ls -l /proc/self/fd >&2'
	open_stray_fds
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out "$EXPECTED_FDS"
}

test_no_caller_fd_leaks_into_a_container_started_by_create_and_start()
{
	mkbundle sh -c 'ls /proc/self/fd > /tmp/fds; ls -l /proc/self/fd > /tmp/fds.long'
	open_stray_fds
	rt create --bundle "$B" "$ID"
	expect_rc 0
	rt start "$ID"
	expect_rc 0
	wait_status "$ID" stopped
	[ "$(cat "$B/rootfs/tmp/fds")" = "$EXPECTED_FDS" ] ||
		fail "fds inside: $(cat "$B/rootfs/tmp/fds.long")"
}

test_no_caller_fd_leaks_into_exec()
{
	mkbundle sleep 100
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	open_stray_fds
	rt exec "$ID" sh -c 'ls /proc/self/fd; ls -l /proc/self/fd >&2'
	expect_rc 0
	expect_out "$EXPECTED_FDS"
}

test_preserve_fds_1_passes_fd_3_through()
{
	mkbundle sh -c 'echo via-fd3 >&3'
	exec 3>"$T/fd3"
	rt run --preserve-fds 1 --bundle "$B" "$ID"
	exec 3>&-
	expect_rc 0
	[ "$(cat "$T/fd3")" = via-fd3 ] || fail "fd 3 did not reach the container"
}

test_preserve_fds_1_passes_nothing_above_fd_3()
{
	mkbundle sh -c 'ls /proc/self/fd; ls -l /proc/self/fd >&2'
	exec 3>"$T/fd3" 4>"$T/fd4"
	rt run --preserve-fds 1 --bundle "$B" "$ID"
	exec 3>&- 4>&-
	expect_rc 0
	# ls's own directory fd is 4 here, as 3 is taken.
	expect_out $'0\n1\n2\n3\n4'
	grep -q "fd4" "$ERR" && fail "fd 4 reached the container"
	return 0
}

run_tests
