#!/bin/bash
# SIGKILL of ctr create, ctr start and the monitor at random moments leaves
# nothing that ctr list, start or destroy cannot clean.
. "$(dirname "$0")/lib.sh"

ROUNDS=${KILL_ROUNDS:-12}

# A template slow enough to be killed in the middle of.
slow_template()
{
	mkdir -p "$T/tpl"
	cat >"$T/tpl/slow" <<SH
#!/bin/sh
sleep 0.1
"$TOP/templates/busybox" "\$@" || exit
sleep 0.1
SH
	chmod +x "$T/tpl/slow"
	export CTR_TEMPLATE_PATH=$T/tpl
}

random_ms()
{
	echo $((RANDOM % $1))
}

sleep_ms()
{
	sleep "$(printf '0.%03d' "$1")"
}

# The store is consistent: every container listed has a config that parses
# (info succeeds), and no staging is left once a change took the lock.
check_store()
{
	local n
	ctr list --format json; ok
	for n in $(jq -r '.[].name' "$OUT"); do
		ctr info "$n"; ok
	done
}

test_create_killed_at_random_moments()
{
	local i pid n
	slow_template
	for i in $(seq "$ROUNDS"); do
		n=$(new_name)
		"$CTR" create "$n" -t slow </dev/null >/dev/null 2>&1 &
		pid=$!
		sleep_ms "$(random_ms 400)"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		check_store
		if [ -e "$STORE/containers/$n" ]; then
			ctr start "$n"; ok
			ctr destroy --force "$n"; ok
		fi
	done
	# A change after the kills finds nothing half-made to trip on.
	ctr create "$(new_name)" -t slow; ok
	[ -z "$(find "$STORE/tmp" -mindepth 1)" ] || fail "staging left: $(ls "$STORE/tmp")"
	wait_until 2 test -z "$(pgrep -f "$T/tpl/slow")" || fail "template processes left"
}

test_start_and_monitor_killed_at_random_moments()
{
	local i pid n m
	n=$(new_name)
	ctr create "$n"; ok
	for i in $(seq "$ROUNDS"); do
		"$CTR" start "$n" </dev/null >/dev/null 2>&1 &
		pid=$!
		sleep_ms "$(random_ms 12)"
		kill -KILL "$pid" 2>/dev/null
		for m in $(our_monitors); do
			kill -KILL "$m"
		done
		wait "$pid" 2>/dev/null
		check_store
		# Whatever was left: the next start either starts or finds it running.
		ctr start "$n"
		[ "$RC" = 0 ] || grep -q "already running" "$ERR" || fail "start after a kill failed"
		[ "$(state_of_ctr "$n")" = running ] || fail "not running after start"
		ctr stop "$n" --kill; ok
		[ ! -e "$RUNROOT/$n" ] || fail "stop left runtime state"
		[ -z "$(our_cgroups)" ] || fail "cgroups left: $(our_cgroups)"
	done
	ctr destroy "$n"; ok
}

test_killed_start_then_destroy_force_cleans_everything()
{
	local i pid n m
	for i in $(seq "$ROUNDS"); do
		n=$(new_name)
		ctr create "$n"; ok
		"$CTR" start "$n" </dev/null >/dev/null 2>&1 &
		pid=$!
		sleep_ms "$(random_ms 12)"
		for m in $(our_monitors); do
			kill -KILL "$m"
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		ctr destroy --force "$n"; ok
		[ ! -e "$RUNROOT/$n" ] && [ ! -e "$STORE/containers/$n" ] || fail "destroy left $n"
	done
	[ -z "$(our_cgroups)" ] || fail "cgroups left: $(our_cgroups)"
}

run_tests
