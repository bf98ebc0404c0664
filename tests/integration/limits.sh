#!/bin/bash
# cgroups: the container is born in its configured cgroup, and the limits in
# linux.resources reach the kernel (v1 controllers on a hybrid host, the
# unified hierarchy on a pure cgroup v2 host).
. "$(dirname "$0")/../lib.sh"

cgroup_v2_only()
{
	[ -e "$SYSFS_CGROUP/cgroup.controllers" ]
}

# cg_value CONTROLLER V1FILE V2FILE: that file of this container's cgroup.
cg_value()
{
	local f
	if cgroup_v2_only; then
		f=$SYSFS_CGROUP/$CGROUP_PARENT/$ID/$3
	else
		f=$SYSFS_CGROUP/$1/$CGROUP_PARENT/$ID/$2
	fi
	[ -r "$f" ] || fail "no cgroup file $f"
	cat "$f"
}

start_limited()
{
	mkbundle sleep 100
	cfg "$@"
	rt run -d --bundle "$B" --pid-file "$T/pid" "$ID"
	expect_rc 0
}

test_process_is_born_in_its_configured_cgroup()
{
	mkbundle sleep 100
	rt run -d --bundle "$B" --pid-file "$T/pid" "$ID"
	expect_rc 0
	local want=/$CGROUP_PARENT/$ID line
	if cgroup_v2_only; then
		line=$(grep '^0::' "/proc/$(cat "$T/pid")/cgroup")
	else
		line=$(grep ':memory:' "/proc/$(cat "$T/pid")/cgroup")
	fi
	[ "${line##*:}" = "$want" ] || fail "init's cgroup is '${line##*:}', not $want"
}

test_memory_limit_is_applied()
{
	start_limited '.linux.resources.memory = {limit: 67108864}'
	[ "$(cg_value memory memory.limit_in_bytes memory.max)" = 67108864 ] ||
		fail "memory limit is $(cg_value memory memory.limit_in_bytes memory.max)"
}

test_pids_limit_is_applied()
{
	start_limited '.linux.resources.pids = {limit: 16}'
	[ "$(cg_value pids pids.max pids.max)" = 16 ] || fail "pids.max is $(cg_value pids pids.max pids.max)"
}

test_cpu_quota_is_applied()
{
	start_limited '.linux.resources.cpu = {quota: 50000, period: 100000}'
	if cgroup_v2_only; then
		[ "$(cg_value cpu - cpu.max)" = "50000 100000" ] || fail "cpu.max is $(cg_value cpu - cpu.max)"
	else
		[ "$(cg_value cpu cpu.cfs_quota_us -)" = 50000 ] || fail "cfs_quota_us is $(cg_value cpu cpu.cfs_quota_us -)"
		[ "$(cg_value cpu cpu.cfs_period_us -)" = 100000 ] || fail "cfs_period_us is $(cg_value cpu cpu.cfs_period_us -)"
	fi
}

test_pids_limit_stops_forks_inside()
{
	mkbundle sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait'
	cfg '.linux.resources.pids = {limit: 4}'
	rt run --bundle "$B" "$ID"
	grep -qiE "fork|resource temporarily unavailable" "$ERR" || fail "8 forks under pids.max=4 all worked"
}

test_cgroup_is_removed_on_delete()
{
	mkbundle true
	rt create --bundle "$B" "$ID"
	expect_rc 0
	cgroup_left "$ID" || fail "no cgroup /$CGROUP_PARENT/$ID after create"
	rt start "$ID"
	expect_rc 0
	wait_status "$ID" stopped
	rt delete "$ID"
	expect_rc 0
	! cgroup_left "$ID" || fail "cgroup /$CGROUP_PARENT/$ID left after delete"
}

run_tests
