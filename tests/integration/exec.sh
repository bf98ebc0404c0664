#!/bin/bash
# exec: a second process joins a running container, in args form and from a
# process.json, in the container's namespaces; its exit code comes back.
. "$(dirname "$0")/../lib.sh"

start_sleeper()
{
	mkbundle sleep 100
	rt run -d --bundle "$B" --pid-file "$T/pid" "$ID"
	expect_rc 0
	INIT=$(cat "$T/pid")
}

process_json()
{
	jq -n --argjson args "$1" --arg cwd "${2:-/}" '{
		terminal: false, user: {uid: 0, gid: 0}, args: $args, cwd: $cwd,
		env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
		capabilities: {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]},
		noNewPrivileges: true}' >"$T/process.json"
}

test_exec_args_form_runs_in_container_and_returns_exit_code()
{
	start_sleeper
	rt exec "$ID" sh -c 'echo hello; exit 7'
	expect_rc 7
	expect_out hello
}

test_exec_process_file_runs_that_process_in_its_cwd()
{
	start_sleeper
	process_json '["sh", "-c", "pwd; exit 5"]' /tmp
	rt exec --process "$T/process.json" "$ID"
	expect_rc 5
	expect_out /tmp
}

test_exec_process_file_user_is_applied()
{
	start_sleeper
	process_json '["id", "-u"]'
	jq '.user = {uid: 65534, gid: 65534}' "$T/process.json" >"$T/p2.json"
	rt exec --process "$T/p2.json" "$ID"
	expect_rc 0
	expect_out 65534
}

test_exec_shares_the_pid_namespace_of_init()
{
	start_sleeper
	rt exec "$ID" readlink /proc/self/ns/pid
	expect_rc 0
	expect_out "$(readlink "/proc/$INIT/ns/pid")"
	rt exec "$ID" cat /proc/1/comm
	expect_out sleep
}

test_exec_sees_the_container_hostname()
{
	start_sleeper
	rt exec "$ID" hostname
	expect_rc 0
	expect_out "$ID"
}

test_exec_shares_the_mount_namespace_of_init()
{
	start_sleeper
	rt exec "$ID" readlink /proc/self/ns/mnt
	expect_rc 0
	expect_out "$(readlink "/proc/$INIT/ns/mnt")"
}

test_exec_detached_writes_pid_file_of_a_process_in_the_container()
{
	start_sleeper
	rt exec -d --pid-file "$T/epid" "$ID" sleep 50
	expect_rc 0
	[ -s "$T/epid" ] || fail "exec pid file not written"
	local p
	p=$(cat "$T/epid")
	kill -0 "$p" || fail "exec'd pid $p is not alive"
	[ "$(readlink "/proc/$p/ns/pid")" = "$(readlink "/proc/$INIT/ns/pid")" ] ||
		fail "exec'd process is not in the container's pid namespace"
	rt ps --format json "$ID"
	jq -e --argjson p "$p" 'index($p) != null' "$OUT" >/dev/null || fail "ps does not list $p"
}

test_exec_into_stopped_container_fails()
{
	mkbundle true
	rt create --bundle "$B" "$ID"
	expect_rc 0
	rt start "$ID"
	wait_status "$ID" stopped
	rt exec "$ID" true
	[ "$RC" != 0 ] || fail "exec into a stopped container succeeded"
}

run_tests
