#!/bin/bash
# events: a container's cgroup counters as runc-style JSON (--stats once, or
# a stream of stats lines), and an "oom" event when the OOM killer strikes.
. "$(dirname "$0")/../lib.sh"

# jq_out FILTER: FILTER over the first stats event of $OUT.
jq_out()
{
	jq -r "select(.type == \"stats\") | $1" "$OUT" | head -n 1
}

test_events_stats_prints_one_stats_object_with_sane_numbers()
{
	mkbundle sh -c 'dd if=/dev/zero of=/dev/null bs=1M count=200 2>/dev/null; exec sleep 100'
	cfg '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 16}'
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	sleep 0.5
	rt events --stats "$ID"
	expect_rc 0
	[ "$(wc -l <"$OUT")" = 1 ] || fail "events --stats printed more than one line"
	[ "$(jq -r .type "$OUT")" = stats ] || fail "type is not stats"
	[ "$(jq -r .id "$OUT")" = "$ID" ] || fail "id is not $ID"
	local usage limit total pids plimit
	usage=$(jq_out .data.memory.usage.usage)
	limit=$(jq_out .data.memory.usage.limit)
	total=$(jq_out .data.cpu.usage.total)
	pids=$(jq_out .data.pids.current)
	plimit=$(jq_out .data.pids.limit)
	[ "$limit" = 67108864 ] || fail "memory.usage.limit is $limit, not 67108864"
	[ "$usage" -gt 0 ] && [ "$usage" -le "$limit" ] || fail "memory.usage.usage is $usage"
	[ "$total" -gt 0 ] && [ "$total" -lt 100000000000 ] || fail "cpu.usage.total is $total ns"
	[ "$pids" -ge 1 ] && [ "$pids" -le 16 ] || fail "pids.current is $pids"
	[ "$plimit" = 16 ] || fail "pids.limit is $plimit"
}

test_events_streams_stats_and_reports_the_oom_then_ends()
{
	# 1.5 s of sleep gives the stream time for a stats line; then 64 MiB
	# into a tmpfs (charged to the container) under a 32 MiB limit: the
	# OOM killer takes dd, and the container ends with it.
	mkbundle sh -c 'sleep 1.5; dd if=/dev/zero of=/fill/zero bs=1M count=64'
	cfg '.linux.resources.memory = {limit: 33554432, swap: 33554432}
		| .mounts += [{destination: "/fill", type: "tmpfs", source: "tmpfs", options: ["size=128m"]}]'
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	rt_bg events --interval 1s "$ID"
	wait_until 15 grep -q '"type":"oom"' "$BG_OUT" || true
	if [ "$RUNTIME_KIND" = ctr ]; then
		rt_wait 10 # the stream ends by itself once the container stopped
		expect_rc 0
	else
		kill "$BG_PID" 2>/dev/null # runc 1.1 streams until killed
		rt_wait 5
	fi
	jq -s -e 'any(.[]; .type == "stats")' "$OUT" >/dev/null || fail "no stats event in the stream"
	jq -s -e --arg id "$ID" 'any(.[]; .type == "oom" and .id == $id)' "$OUT" >/dev/null ||
		fail "no oom event for $ID"
	wait_status "$ID" stopped
}

test_events_of_a_missing_container_fails()
{
	rt events --stats ctrt-no-such-container
	[ "$RC" != 0 ] || fail "events on a missing container succeeded"
	expect_err_has "does not exist"
}

test_events_rejects_a_bad_interval()
{
	mkbundle sleep 100
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	rt events --interval soon "$ID"
	[ "$RC" != 0 ] || fail "--interval soon was accepted"
	expect_err_has "interval"
}

run_tests
