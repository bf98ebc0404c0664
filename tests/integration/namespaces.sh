#!/bin/bash
# Namespaces given by path are joined (the parent enters pid and time
# namespaces for its child, the child joins the rest), and a new time
# namespace gets its offsets before anything runs in it.
. "$(dirname "$0")/../lib.sh"

ns_id()
{
	stat -L -c %i "$1"
}

test_joins_a_network_namespace_given_by_path()
{
	command -v ip >/dev/null || skip "ip (iproute2) is not installed"
	host_netns
	mkbundle readlink /proc/self/ns/net
	cfg '(.linux.namespaces[] | select(.type == "network")) |= {type: "network", path: $p}' \
		--arg p "$NETNS"
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out "net:[$(ns_id "$NETNS")]"
}

test_second_container_joins_the_first_ones_pid_and_uts_namespaces()
{
	local first pid
	mkbundle sleep 100 # its hostname is its id (mkbundle)
	first=$ID
	rt run -d --bundle "$B" "$first"
	expect_rc 0
	pid=$(state_of "$first" pid)
	wait_until 5 sh -c "[ \"\$(cat /proc/$pid/comm)\" = sleep ]" ||
		fail "first container did not start sleeping"
	mkbundle sh -c 'hostname; ps -o comm | grep -c "^sleep$"'
	cfg '.linux.namespaces |= map(if .type == "pid" then {type: "pid", path: $p}
		elif .type == "uts" then {type: "uts", path: $u} else . end) | del(.hostname)' \
		--arg p "/proc/$pid/ns/pid" --arg u "/proc/$pid/ns/uts"
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out "$first"$'\n1'
}

test_time_namespace_offsets_shift_the_boot_clock()
{
	ctr_only "runc 1.1 has no time namespaces"
	[ -e /proc/self/ns/time ] || skip "this kernel has no time namespaces"
	mkbundle cut -d. -f1 /proc/uptime
	cfg '.linux.namespaces += [{type: "time"}] | .linux.timeOffsets = {boottime: {secs: 100000000}}'
	rt run --bundle "$B" "$ID"
	expect_rc 0
	[ "$(out)" -ge 100000000 ] || fail "uptime inside is $(out)s, offset not applied"
}

run_tests
