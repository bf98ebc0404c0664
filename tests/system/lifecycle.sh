#!/bin/bash
# A busybox system container through every lifecycle verb of ctr.
. "$(dirname "$0")/lib.sh"

test_busybox_through_create_start_exec_stop_destroy()
{
	local n pid
	n=$(new_name)
	ctr create "$n"; ok
	ctr list --format json; ok
	[ "$(jq -r --arg n "$n" '.[] | select(.name == $n) | .state' "$OUT")" = stopped ] ||
		fail "a new container is not stopped"
	ctr start "$n"; ok
	ctr list --format json; ok
	pid=$(jq -r --arg n "$n" '.[] | select(.name == $n) | .pid' "$OUT")
	[ "$(jq -r --arg n "$n" '.[] | select(.name == $n) | .state' "$OUT")" = running ] ||
		fail "not running after start"
	[ -d "/proc/$pid" ] || fail "listed pid $pid does not exist"
	ctr exec "$n" -- hostname; ok
	expect_out "$n"
	ctr info "$n" --format json; ok
	[ "$(jq -r .state "$OUT")" = running ] || fail "info: not running"
	[ "$(jq -r .memory.usage "$OUT")" -gt 0 ] || fail "info: no memory use"
	[ "$(jq -r .halt_signal "$OUT")" = SIGUSR1 ] || fail "info: busybox halt signal"
	ctr stop "$n"; ok
	[ "$(state_of_ctr "$n")" = stopped ] || fail "not stopped after stop"
	[ ! -e "$RUNROOT/$n" ] || fail "runtime state left after stop"
	ctr info "$n" --format json; ok
	jq -e '.last_exit' "$OUT" >/dev/null || fail "exit status not recorded"
	ctr destroy "$n"; ok
	[ ! -e "$STORE/containers/$n" ] || fail "destroy left the container in the store"
	ctr list --format json; ok
	[ "$(jq length "$OUT")" = 0 ] || fail "destroyed container still listed"
}

test_second_create_from_a_template_reuses_its_image()
{
	local a b
	a=$(new_name) b=$(new_name)
	ctr create "$a"; ok
	ctr create "$b"; ok
	[ "$(ls "$STORE/images")" = busybox ] || fail "images: $(ls "$STORE/images")"
	# The image was made for $a; $b's files name $b.
	ctr start "$b"; ok
	ctr exec "$b" -- sh -c 'echo $(cat /etc/hostname) $(hostname) $(grep 127.0.1.1 /etc/hosts)'; ok
	expect_out "$b $b 127.0.1.1 $b"
	ctr create "$(new_name)" -- --busybox /bin/busybox; ok
	[ "$(ls "$STORE/images" | wc -l)" = 2 ] || fail "options did not make their own image"
	ls "$STORE/images" | grep -qx 'busybox-[0-9a-f]*' || fail "images: $(ls "$STORE/images")"
}

test_start_of_a_running_container_is_refused()
{
	local n
	n=$(new_name)
	ctr create "$n"; ok
	ctr start "$n"; ok
	ctr start "$n"
	expect_rc 1
	expect_err_has "already running"
}

test_exec_passes_exit_code_user_env_and_cwd()
{
	local n
	n=$(new_name)
	ctr create "$n"; ok
	ctr start "$n"; ok
	ctr exec "$n" -- sh -c 'exit 42'
	expect_rc 42
	ctr exec "$n" --user 65534:65534 --env FOO=bar --cwd /tmp -- sh -c 'echo $(id -u):$(id -g) $FOO $(pwd)'; ok
	expect_out "65534:65534 bar /tmp"
	ctr exec "$n" -- sh -c 'echo $container'; ok
	expect_out ctr
}

test_exec_in_a_stopped_container_fails()
{
	local n
	n=$(new_name)
	ctr create "$n"; ok
	ctr exec "$n" -- true
	expect_rc 1
	expect_err_has "not running"
}

test_console_attaches_and_the_log_keeps_the_output()
{
	local n
	n=$(new_name)
	ctr create "$n"; ok
	ctr start "$n"; ok
	# busybox init starts a shell on the console
	wait_until 5 grep -q '# ' "$STORE/containers/$n/console.log" || fail "no prompt in console.log"
	echo 'echo console-$((6*7))' >"$T/input"
	ctr_in "$T/input" console "$n"; ok
	expect_out_has console-42
	grep -q console-42 "$STORE/containers/$n/console.log" || fail "console.log lacks the output"
	ctr info "$n" --format json; ok
	[ "$(jq -r .console_log "$OUT")" = "$STORE/containers/$n/console.log" ] || fail "info: log path"
}

test_destroy_refuses_a_running_container_without_force()
{
	local n
	n=$(new_name)
	ctr create "$n"; ok
	ctr start "$n"; ok
	ctr destroy "$n"
	expect_rc 1
	expect_err_has "running"
	[ "$(state_of_ctr "$n")" = running ] || fail "refused destroy changed the container"
	ctr destroy --force "$n"; ok
	[ ! -e "$STORE/containers/$n" ] || fail "destroy --force left the container"
	[ ! -e "$RUNROOT/$n" ] || fail "destroy --force left runtime state"
}

test_stop_kills_after_the_timeout_when_init_ignores_the_halt_signal()
{
	local n t0 t1
	n=$(new_name)
	ctr create "$n" --config-set halt.signal=SIGWINCH; ok
	ctr start "$n"; ok
	t0=$(now_ms)
	ctr stop "$n" --timeout 1; ok
	t1=$(now_ms)
	[ $((t1 - t0)) -ge 900 ] || fail "stopped after $((t1 - t0)) ms, before the timeout"
	[ $((t1 - t0)) -lt 5000 ] || fail "stop took $((t1 - t0)) ms"
	[ "$(state_of_ctr "$n")" = stopped ] || fail "not stopped"
}

test_restart_gives_a_new_init()
{
	local n p1 p2
	n=$(new_name)
	ctr create "$n"; ok
	ctr start "$n"; ok
	ctr list --format json; ok
	p1=$(jq -r --arg n "$n" '.[] | select(.name == $n) | .pid' "$OUT")
	ctr restart "$n" --kill; ok
	ctr list --format json; ok
	p2=$(jq -r --arg n "$n" '.[] | select(.name == $n) | .pid' "$OUT")
	[ "$p1" != "$p2" ] && [ "$p2" -gt 0 ] || fail "pid $p1 before, $p2 after"
}

test_update_changes_config_and_live_cgroup()
{
	local n f
	n=$(new_name)
	ctr create "$n"; ok
	ctr start "$n"; ok
	ctr update "$n" limits.memory=64M limits.pids=50; ok
	grep -qx 'limits.memory = 64M' "$STORE/containers/$n/config" || fail "config not updated"
	for f in "$SYSFS_CGROUP/memory/ctr/$n/memory.limit_in_bytes" "$SYSFS_CGROUP/ctr/$n/memory.max"; do
		[ -f "$f" ] && { [ "$(cat "$f")" = 67108864 ] || fail "$f: $(cat "$f")"; }
	done
	ctr update "$n" limits.memroy=1G
	expect_rc 1
	expect_err_has "did you mean 'limits.memory'"
	ctr update "$n" hostname=x
	expect_rc 1
}

test_foreground_passes_the_init_exit_code()
{
	local n
	n=$(new_name)
	ctr create "$n" --config-set init=/bin/false; ok
	ctr start --foreground "$n"
	expect_rc 1
	[ ! -e "$RUNROOT/$n" ] || fail "foreground left runtime state"
}

test_init_that_exits_is_cleaned_by_the_monitor()
{
	local n
	n=$(new_name)
	ctr create "$n" --config-set "init=/bin/sleep 0.3"; ok
	ctr start "$n"; ok
	wait_until 5 test ! -e "$RUNROOT/$n" || fail "monitor did not remove the runtime state"
	ctr info "$n" --format json; ok
	[ "$(jq -r .last_exit "$OUT")" = 0 ] || fail "last exit: $(jq -r .last_exit "$OUT")"
}

test_a_killed_monitor_leaves_a_container_stop_can_clean()
{
	local n mon
	n=$(new_name)
	ctr create "$n"; ok
	ctr start "$n"; ok
	mon=$(our_monitors)
	[ -n "$mon" ] || fail "no monitor found"
	kill -KILL "$mon"
	ctr list; ok
	ctr stop "$n" --kill; ok
	[ ! -e "$RUNROOT/$n" ] || fail "state left"
	ctr start "$n"; ok
	[ "$(state_of_ctr "$n")" = running ] || fail "no restart after a killed monitor"
}

test_all_autostart_starts_those_that_ask_in_name_order()
{
	local a b c
	a=$(new_name) b=$(new_name) c=$(new_name)
	ctr create "$a" --config-set autostart=true; ok
	ctr create "$b"; ok
	ctr create "$c" --config-set autostart=true --config-set init=/nonexistent; ok
	ctr start --all-autostart
	expect_rc 1
	expect_err_has "start $c"
	[ "$(state_of_ctr "$a")" = running ] || fail "$a not started"
	[ "$(state_of_ctr "$b")" = stopped ] || fail "$b started without autostart"
	ctr list --format json; ok
	[ "$(jq -r --arg n "$a" '.[] | select(.name == $n) | .autostart' "$OUT")" = true ] ||
		fail "list does not show autostart"
}

run_tests
