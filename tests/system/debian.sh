#!/bin/bash
# A Debian bookworm container (templates/debian) whose systemd boots: create,
# start, wait --booted, systemctl is-system-running, stop within 1 s,
# destroy; boot and stop times of 10 runs as TAP diagnostics.
#
# The first debootstrap on a machine takes a minute or more; the template
# keeps the .debs and the prepared tree under /var/cache/ctr (CTR_CACHE_DIR),
# and every later run, in any store, copies that tree into the store as its
# image. Skipped when there is no cached tree and debootstrap is missing or
# the mirror cannot be reached.
. "$(dirname "$0")/lib.sh"

CACHE=${CTR_CACHE_DIR:-/var/cache/ctr}
MIRROR=${CTR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
STOP_LIMIT_MS=${CTR_DEBIAN_STOP_LIMIT_MS:-1000}
BOOT_RUNS=${CTR_DEBIAN_BOOT_RUNS:-10}
BOOT_TIMEOUT=${CTR_DEBIAN_BOOT_TIMEOUT:-60}
STOP_TIMEOUT=$((STOP_LIMIT_MS / 1000 + 10))
CREATE_LIMIT_MS=${CTR_DEBIAN_CREATE_LIMIT_MS:-1000}
# Notes for the TAP stream, shown whether the test passes or not.
exec 7>&1
note() { echo "# $*" >&7; }

mirror_reachable()
{
	local host=${MIRROR#*://}
	host=${host%%/*}
	if command -v curl >/dev/null; then
		curl -fsS -m 15 -o /dev/null "$MIRROR/dists/bookworm/Release"
	else
		timeout 15 bash -c "exec 3<>/dev/tcp/$host/80" 2>/dev/null
	fi
}

need_debian()
{
	compgen -G "$CACHE/debian/bookworm-minbase-*" >/dev/null && return 0
	command -v debootstrap >/dev/null ||
		skip "no cached Debian tree in $CACHE/debian and debootstrap is not installed"
	mirror_reachable || skip "no cached Debian tree and the mirror $MIRROR cannot be reached"
}

# A Debian container, created with the time the first debootstrap needs.
new_debian()
{
	need_debian
	D=$(new_name)
	CTR_TIMEOUT=900 ctr create "$D" -t debian -- --mirror "$MIRROR"; ok
}

# The failed units of a degraded system, as diagnostics.
report_state()
{
	local state
	ctr exec "$1" -- systemctl is-system-running
	state=$(cat "$OUT")
	case $state in
	running) ;;
	degraded)
		note "$1: degraded; failed units:"
		ctr exec "$1" -- systemctl --failed --no-legend --plain
		sed 's/^/#   /' "$OUT" >&7
		;;
	*) fail "systemctl is-system-running printed '$state', not running or degraded" ;;
	esac
}

ms_since() { echo $(($(now_ms) - $1)); }

test_debian_boots_systemd_to_running()
{
	new_debian
	ctr start "$D"; ok
	ctr wait "$D" --booted --timeout "$BOOT_TIMEOUT"; ok
	report_state "$D"
	ctr exec "$D" -- hostname; ok
	expect_out "$D"
	ctr exec "$D" -- cat /proc/1/comm; ok
	expect_out systemd
	# Services run as their own users: "/" must let them in.
	ctr exec "$D" --user 65534:65534 -- ls /usr; ok
	# The unified hierarchy, delegated: systemd placed itself in init.scope.
	ctr exec "$D" -- cat /proc/1/cgroup; ok
	grep -qx '0::/init.scope' "$OUT" || fail "systemd is not in its own init.scope"
}

test_debian_stops_cleanly_within_a_second()
{
	local t0 ms
	new_debian
	ctr start "$D"; ok
	ctr wait "$D" --booted --timeout "$BOOT_TIMEOUT"; ok
	t0=$(now_ms)
	ctr stop "$D" --timeout "$STOP_TIMEOUT"; ok
	ms=$(ms_since "$t0")
	note "stop: $ms ms"
	[ "$(state_of_ctr "$D")" = stopped ] || fail "not stopped"
	[ "$ms" -le "$STOP_LIMIT_MS" ] || fail "stop took $ms ms (limit $STOP_LIMIT_MS)"
	# systemd powered off (SIGINT from the kernel), it was not killed.
	ctr info "$D" --format json; ok
	[ "$(jq -r '.last_exit // empty' "$OUT")" != 137 ] || fail "init was killed, not halted"
	ctr destroy "$D"; ok
	[ ! -e "$STORE/containers/$D" ] || fail "destroy left the container"
}

test_second_debian_create_is_instant_and_gets_its_own_identity()
{
	local e t0 ms a b
	new_debian
	e=$(new_name)
	t0=$(now_ms)
	ctr create "$e" -t debian -- --mirror "$MIRROR"; ok
	ms=$(ms_since "$t0")
	note "second create -t debian: $ms ms"
	[ "$ms" -lt "$CREATE_LIMIT_MS" ] || fail "second create took $ms ms"
	ctr start "$D"; ok
	ctr start "$e"; ok
	ctr wait "$D" --booted --timeout "$BOOT_TIMEOUT"; ok
	ctr wait "$e" --booted --timeout "$BOOT_TIMEOUT"; ok
	ctr exec "$D" -- cat /etc/machine-id; ok
	a=$(cat "$OUT")
	ctr exec "$e" -- cat /etc/machine-id; ok
	b=$(cat "$OUT")
	if [ -z "$a" ] || [ "$a" = "$b" ]; then
		fail "machine ids '$a' and '$b' are not two ids"
	fi
	ctr exec "$e" -- hostname; ok
	expect_out "$e"
}

# The store verbs and the console on a booted Debian: the console log has
# systemd's boot, a clone boots with a range and a name of its own and its
# writes stay its own, a snapshot restores what was there.
test_debian_console_log_clone_and_snapshot()
{
	local e
	new_debian
	ctr start "$D"; ok
	ctr wait "$D" --booted --timeout "$BOOT_TIMEOUT"; ok
	ctr exec "$D" -- sh -c 'echo before > /root/mark'; ok
	ctr stop "$D"; ok
	grep -q "Reached target" "$STORE/containers/$D/console.log" ||
		fail "the console log has no boot messages"
	ctr snapshot "$D" s1; ok
	e=$(new_name)
	ctr clone "$D" "$e"; ok
	ctr start "$e"; ok
	ctr wait "$e" --booted --timeout "$BOOT_TIMEOUT"; ok
	report_state "$e"
	ctr exec "$e" -- hostname; ok
	expect_out "$e"
	ctr exec "$e" -- sh -c 'cat /root/mark; echo clone > /root/mark'; ok
	expect_out before
	ctr stop "$e"; ok
	ctr start "$D"; ok
	ctr exec "$D" -- sh -c 'cat /root/mark; echo after > /root/mark'; ok
	expect_out before
	ctr stop "$D"; ok
	ctr snapshot restore "$D" s1; ok
	ctr start "$D"; ok
	ctr exec "$D" -- cat /root/mark; ok
	expect_out before
}

# CRIU (issue 7): systemd as unprivileged PID 1, with its slices, journald
# and logind, dumped and brought back twice; its cgroups below the
# container's must be the container root's again (else it cannot start the
# halt job).
test_debian_checkpoints_restores_and_stops_cleanly()
{
	local criu=${CTR_CRIU:-/opt/ctr-criu/sbin/criu} t0 ms
	[ -x "$criu" ] && "$criu" check >/dev/null 2>&1 || skip "no working criu >= 4.1 (tests/install-criu)"
	new_debian
	ctr start "$D"; ok
	ctr wait "$D" --booted --timeout "$BOOT_TIMEOUT"; ok
	ctr exec "$D" -- sh -c 'echo kept > /root/before'; ok
	# A unit with memory and task accounting: on cgroup v2 systemd enables
	# those controllers in the container's cgroup and in system.slice,
	# and watches the unit's memory.events, which criu must reopen.
	ctr exec "$D" -- systemd-run --unit=ctr-test-sleep -p MemoryAccounting=yes \
		-p TasksAccounting=yes sleep infinity; ok
	ctr checkpoint "$D"; ok
	[ "$(state_of_ctr "$D")" = stopped ] || fail "not stopped by the checkpoint"
	ctr restore "$D"; ok
	report_state "$D"
	ctr exec "$D" -- cat /root/before; ok
	expect_out kept
	# Once restored, it checkpoints again: systemd's inotify watch on the
	# /etc/localtime symlink must still be on the symlink (criu patch).
	ctr checkpoint "$D"; ok
	ctr restore "$D"; ok
	ctr exec "$D" -- cat /root/before; ok
	expect_out kept
	ctr exec "$D" -- systemctl is-active ctr-test-sleep; ok
	expect_out active
	ctr exec "$D" -- systemctl start systemd-tmpfiles-clean.service; ok
	t0=$(now_ms)
	ctr stop "$D" --timeout "$STOP_TIMEOUT"; ok
	ms=$(ms_since "$t0")
	note "stop after restore: $ms ms"
	[ "$ms" -le "$STOP_LIMIT_MS" ] || fail "stop after restore took $ms ms (limit $STOP_LIMIT_MS)"
}

test_wait_booted_times_out_with_status_3()
{
	new_debian
	ctr start "$D"; ok
	ctr wait "$D" --booted --timeout 0
	expect_rc 3
	ctr wait "$D" --timeout 1
	expect_rc 3
	ctr wait "$D" --booted --timeout "$BOOT_TIMEOUT"; ok
	ctr stop "$D"; ok
	ctr wait "$D"; ok
}

test_wait_booted_of_a_busybox_init_is_its_start()
{
	local b
	b=$(new_name)
	ctr create "$b"; ok
	ctr start "$b"; ok
	ctr wait "$b" --booted --timeout 5; ok
	ctr stop "$b"; ok
	ctr wait "$b" --booted
	expect_rc 1
	expect_err_has "not running"
}

# Start to `running`, median of BOOT_RUNS, and stop times.
test_boot_and_stop_times()
{
	local i t0 boot=() stop=()
	new_debian
	for ((i = 0; i < BOOT_RUNS; i++)); do
		t0=$(now_ms)
		ctr start "$D"; ok
		ctr wait "$D" --booted --timeout "$BOOT_TIMEOUT"; ok
		boot+=("$(ms_since "$t0")")
		t0=$(now_ms)
		ctr stop "$D" --timeout "$STOP_TIMEOUT"; ok
		stop+=("$(ms_since "$t0")")
	done
	median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
	note "start to systemd running, $BOOT_RUNS runs: median $(median "${boot[@]}") ms" \
		"(${boot[*]})"
	note "stop: median $(median "${stop[@]}") ms (${stop[*]})"
}

run_tests
