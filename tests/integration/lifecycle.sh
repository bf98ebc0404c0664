#!/bin/bash
# Lifecycle: create -> created -> start -> running -> stopped -> delete, as
# `state`, `list`, the pid file and the host see it; kill and ps.
. "$(dirname "$0")/../lib.sh"

# A process that runs until the test touches $B/rootfs/tmp/go.
GATED=(sh -c 'while [ ! -e /tmp/go ]; do sleep 0.05; done')

release()
{
	touch "$B/rootfs/tmp/go"
}

test_create_leaves_container_created_with_pid_from_pid_file()
{
	mkbundle "${GATED[@]}"
	rt create --bundle "$B" --pid-file "$T/pid" "$ID"
	expect_rc 0
	[ -s "$T/pid" ] || fail "pid file $T/pid not written"
	rt state "$ID"
	expect_rc 0
	[ "$(jq -r .status "$OUT")" = created ] || fail "status is not created"
	[ "$(jq -r .pid "$OUT")" = "$(cat "$T/pid")" ] || fail "state pid differs from pid file $(cat "$T/pid")"
	[ "$(jq -r .id "$OUT")" = "$ID" ] || fail "state id is not $ID"
	kill -0 "$(cat "$T/pid")" || fail "pid $(cat "$T/pid") is not alive"
	[ ! -e "$B/rootfs/tmp/go" ] || fail "gate opened by itself"
}

test_state_reports_the_oci_fields()
{
	mkbundle "${GATED[@]}"
	rt create --bundle "$B" --pid-file "$T/pid" "$ID"
	expect_rc 0
	rt state "$ID"
	expect_rc 0
	local key
	for key in ociVersion id pid status bundle created; do
		jq -e "has(\"$key\")" "$OUT" >/dev/null || fail "state has no $key"
	done
	[ "$(jq -r .bundle "$OUT")" = "$B" ] || fail "state bundle is not $B"
	jq -r .ociVersion "$OUT" | grep -q '^1\.' || fail "ociVersion is not 1.x"
}

test_start_makes_created_container_running_with_the_same_pid()
{
	mkbundle "${GATED[@]}"
	rt create --bundle "$B" --pid-file "$T/pid" "$ID"
	expect_rc 0
	rt start "$ID"
	expect_rc 0
	wait_status "$ID" running
	rt state "$ID"
	[ "$(jq -r .pid "$OUT")" = "$(cat "$T/pid")" ] || fail "pid changed on start"
}

test_container_is_stopped_once_its_process_exits()
{
	mkbundle "${GATED[@]}"
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	wait_status "$ID" running
	release
	wait_status "$ID" stopped
}

test_start_of_running_container_fails()
{
	mkbundle "${GATED[@]}"
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	rt start "$ID"
	[ "$RC" != 0 ] || fail "start of a running container succeeded"
	status_is "$ID" running || fail "container no longer running"
}

test_list_shows_created_container()
{
	mkbundle "${GATED[@]}"
	rt create --bundle "$B" "$ID"
	expect_rc 0
	rt list
	expect_rc 0
	grep -qw -- "$ID" "$OUT" || fail "$ID not listed"
}

test_delete_removes_stopped_container_from_list_state_and_cgroups()
{
	mkbundle "${GATED[@]}"
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	cgroup_left "$ID" || fail "no cgroup /$CGROUP_PARENT/$ID while running"
	release
	wait_status "$ID" stopped
	rt delete "$ID"
	expect_rc 0
	rt list
	! grep -qw -- "$ID" "$OUT" || fail "$ID still listed after delete"
	rt state "$ID"
	[ "$RC" != 0 ] || fail "state of a deleted container succeeded"
	expect_nothing_left "$ID"
}

test_delete_refuses_running_container()
{
	mkbundle "${GATED[@]}"
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	rt delete "$ID"
	[ "$RC" != 0 ] || fail "delete of a running container succeeded"
	status_is "$ID" running || fail "container no longer running"
}

test_delete_force_removes_running_container_and_its_processes()
{
	mkbundle "${GATED[@]}"
	rt run -d --bundle "$B" --pid-file "$T/pid" "$ID"
	expect_rc 0
	rt delete --force "$ID"
	expect_rc 0
	wait_until 5 eval '! kill -0 "$(cat "$T/pid")" 2>/dev/null' || fail "init still alive"
	expect_nothing_left "$ID"
}

test_foreground_run_removes_the_container_when_its_process_exits()
{
	mkbundle true
	rt run --bundle "$B" "$ID"
	expect_rc 0
	rt state "$ID"
	[ "$RC" != 0 ] || fail "container still known after run returned"
	expect_nothing_left "$ID"
}

test_run_detached_returns_with_container_running()
{
	mkbundle "${GATED[@]}"
	rt run -d --bundle "$B" --pid-file "$T/pid" "$ID"
	expect_rc 0
	status_is "$ID" running || fail "not running right after run -d"
	rt state "$ID"
	[ "$(jq -r .pid "$OUT")" = "$(cat "$T/pid")" ] || fail "state pid differs from pid file"
}

# pid 1 of a pid namespace only gets signals it has a handler for.
ready()
{
	wait_until 5 test -e "$B/rootfs/tmp/ready" || fail "container never became ready"
}

test_kill_delivers_signal_given_by_name()
{
	mkbundle sh -c 'trap "echo term > /tmp/sig; exit 3" TERM; touch /tmp/ready;
		while :; do sleep 0.05; done'
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	ready
	rt kill "$ID" TERM
	expect_rc 0
	wait_status "$ID" stopped
	[ "$(cat "$B/rootfs/tmp/sig")" = term ] || fail "TERM handler did not run"
}

test_kill_delivers_signal_given_by_number()
{
	mkbundle sh -c 'trap "echo usr1 > /tmp/sig; exit 3" USR1; touch /tmp/ready;
		while :; do sleep 0.05; done'
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	ready
	rt kill "$ID" 10
	expect_rc 0
	wait_status "$ID" stopped
	[ "$(cat "$B/rootfs/tmp/sig")" = usr1 ] || fail "USR1 handler did not run"
}

test_kill_defaults_to_sigterm()
{
	mkbundle sh -c 'trap "echo term > /tmp/sig; exit 3" TERM; touch /tmp/ready;
		while :; do sleep 0.05; done'
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	ready
	rt kill "$ID"
	expect_rc 0
	wait_status "$ID" stopped
	[ "$(cat "$B/rootfs/tmp/sig")" = term ] || fail "TERM handler did not run"
}

# pid 1 (no TERM handler) ignores TERM; only --all reaches its children.
test_kill_all_signals_every_process_in_the_container()
{
	mkbundle sh -c 'sleep 100 & sleep 100 & touch /tmp/ready; wait;
		echo children-gone > /tmp/done; sleep 100'
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	ready
	rt kill --all "$ID" TERM
	expect_rc 0
	wait_until 5 test -e "$B/rootfs/tmp/done" || fail "children did not get TERM"
	status_is "$ID" running || fail "pid 1 should have ignored TERM"
}

test_kill_all_with_sigkill_stops_the_container()
{
	mkbundle sh -c 'sleep 100 & sleep 100 & touch /tmp/ready; wait'
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	ready
	local procs
	procs=$(procs_in "$B")
	[ "$(wc -w <<<"$procs")" = 3 ] || fail "expected 3 container processes, found: $procs"
	rt kill --all "$ID" 9
	expect_rc 0
	wait_status "$ID" stopped
	procs=$(procs_in "$B")
	[ -z "$procs" ] || fail "processes left in the container: $procs"
}

test_ps_json_lists_the_init_pid()
{
	mkbundle "${GATED[@]}"
	rt run -d --bundle "$B" --pid-file "$T/pid" "$ID"
	expect_rc 0
	rt ps --format json "$ID"
	expect_rc 0
	jq -e --argjson p "$(cat "$T/pid")" 'type == "array" and index($p) != null' "$OUT" >/dev/null ||
		fail "pid $(cat "$T/pid") not in the JSON array"
}

run_tests
