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

# --- limits that hold under load ----------------------------------------------

# cpu_usage_ns: total cpu time of this container's cgroup so far.
cpu_usage_ns()
{
	if cgroup_v2_only; then
		echo $(($(awk '$1 == "usage_usec" {print $2}' "$SYSFS_CGROUP/$CGROUP_PARENT/$ID/cpu.stat") * 1000))
	else
		cat "$SYSFS_CGROUP/cpuacct/$CGROUP_PARENT/$ID/cpuacct.usage"
	fi
}

test_memory_limit_oom_kills_and_run_exits_137()
{
	# A tmpfs inside the container is charged to its memory cgroup: 64 MiB
	# written there cannot fit under a 32 MiB limit without swap.
	mkbundle sh -c 'dd if=/dev/zero of=/fill/zero bs=1M count=64 && echo survived'
	cfg '.linux.resources.memory = {limit: 33554432, swap: 33554432}
		| .mounts += [{destination: "/fill", type: "tmpfs", source: "tmpfs", options: ["size=128m"]}]'
	rt run --bundle "$B" "$ID"
	expect_rc 137
	! grep -q survived "$OUT" || fail "64 MiB fit under a 32 MiB limit"
	if [ "$RUNTIME_KIND" = ctr ]; then
		expect_err_has "killed by the OOM killer"
	fi
}

test_pids_limit_20_stops_a_fork_loop_and_the_container_survives()
{
	# 40 sleepers under pids.max 20: the forking subshell fails and exits,
	# the init goes on (exec needs no new task).
	mkbundle sh -c '(for i in $(seq 40); do sleep 30 & done) 2>/dev/null; echo alive >/alive; exec sleep 100'
	cfg '.linux.resources.pids = {limit: 20}'
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	wait_until 10 test -e "$B/rootfs/alive" || fail "the init did not get past its fork loop"
	local cur
	cur=$(cg_value pids pids.current pids.current)
	[ "$cur" -ge 18 ] && [ "$cur" -le 20 ] || fail "pids.current is $cur under pids.max 20"
	status_is "$ID" running || fail "container died under its pids limit"
}

test_cpu_quota_holds_a_busy_loop_to_20_percent()
{
	mkbundle sh -c 'while :; do :; done'
	cfg '.linux.resources.cpu = {quota: 20000, period: 100000}'
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	sleep 0.3
	local u0 t0 u1 t1 pct
	u0=$(cpu_usage_ns) t0=$(now_ms)
	sleep 2
	u1=$(cpu_usage_ns) t1=$(now_ms)
	# usage ns / wall ms / 10^4 = percent of one cpu
	pct=$(((u1 - u0) / (t1 - t0) / 10000))
	echo "# cpu share under quota 0.2: ${pct}%" >&2
	[ "$pct" -ge 15 ] && [ "$pct" -le 25 ] || fail "busy loop used ${pct}% of a cpu under quota 0.2"
}

test_cpuset_pins_the_container()
{
	mkbundle sh -c 'grep Cpus_allowed_list /proc/self/status'
	cfg '.linux.resources.cpu = {cpus: "1"}'
	rt run --bundle "$B" "$ID"
	expect_rc 0
	grep -qE 'Cpus_allowed_list:[[:space:]]+1$' "$OUT" || fail "not pinned to cpu 1: $(cat "$OUT")"
}

# --- update -------------------------------------------------------------------

test_update_changes_live_memory_and_pids_limits()
{
	start_limited '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 16}'
	rt update --memory 128M --pids-limit 30 "$ID"
	expect_rc 0
	[ "$(cg_value memory memory.limit_in_bytes memory.max)" = 134217728 ] ||
		fail "memory limit after update is $(cg_value memory memory.limit_in_bytes memory.max)"
	[ "$(cg_value pids pids.max pids.max)" = 30 ] || fail "pids.max after update is $(cg_value pids pids.max pids.max)"
	# The container sees its own limit through its cgroup mount.
	rt exec "$ID" cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max
	grep -qx 30 "$OUT" || fail "container does not see pids.max 30"
}

test_update_reads_linux_resources_json()
{
	start_limited '.linux.resources.pids = {limit: 16}'
	echo '{"pids": {"limit": 25}, "cpu": {"quota": 30000, "period": 100000}}' >"$T/res.json"
	rt update -r "$T/res.json" "$ID"
	expect_rc 0
	[ "$(cg_value pids pids.max pids.max)" = 25 ] || fail "pids.max after update -r is $(cg_value pids pids.max pids.max)"
}

test_update_with_a_bad_value_names_it_and_changes_nothing()
{
	start_limited '.linux.resources.pids = {limit: 16}'
	echo '{"pids": {"limit": "many"}}' >"$T/res.json"
	rt update -r "$T/res.json" --memory 128M "$ID"
	[ "$RC" != 0 ] || fail "update accepted pids.limit \"many\""
	expect_err_has "pids.limit"
	[ "$(cg_value pids pids.max pids.max)" = 16 ] || fail "pids.max changed to $(cg_value pids pids.max pids.max)"
}

test_update_applies_to_a_paused_container_and_repins_it()
{
	start_limited '.linux.resources.pids = {limit: 16}'
	rt pause "$ID"
	expect_rc 0
	rt update --cpuset-cpus 0 --pids-limit 12 "$ID"
	expect_rc 0
	rt resume "$ID"
	expect_rc 0
	[ "$(cg_value pids pids.max pids.max)" = 12 ] || fail "pids.max after update is $(cg_value pids pids.max pids.max)"
	rt exec "$ID" grep Cpus_allowed_list /proc/1/status
	expect_rc 0
	grep -qE 'Cpus_allowed_list:[[:space:]]+0$' "$OUT" || fail "init not repinned to cpu 0: $(cat "$OUT")"
}

test_update_of_a_stopped_container_fails()
{
	mkbundle true
	rt create --bundle "$B" "$ID"
	rt start "$ID"
	wait_status "$ID" stopped
	rt update --pids-limit 10 "$ID"
	[ "$RC" != 0 ] || fail "update of a stopped container succeeded"
}

run_tests
