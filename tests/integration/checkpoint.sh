#!/bin/bash
# checkpoint/restore (CRIU >= 4.1): a container goes on from where it was
# dumped, with the same pids inside, its TCP connections and its state
# recorded under the (possibly new) id; bad input changes nothing.
. "$(dirname "$0")/../lib.sh"

# The criu ctr finds first (see runtime/criu.h); runc gets it with --criu.
CRIU=${CTR_CRIU:-/opt/ctr-criu/sbin/criu}
[ -x "$CRIU" ] || CRIU=$(command -v criu || echo /nonexistent/criu)

criu_skip_reason()
{
	local v
	[ -x "$CRIU" ] || {
		echo "no criu (tests/install-criu builds 4.1 into /opt/ctr-criu)"
		return
	}
	v=$("$CRIU" --version 2>/dev/null | awk '/^Version:/ { print $2 }')
	case $v in
	[4-9].[1-9]* | [4-9].[1-9][0-9]* | [5-9].* | [1-9][0-9].*) ;;
	*)
		echo "criu ${v:-?} at $CRIU is older than 4.1 (tests/install-criu builds it)"
		return
		;;
	esac
	"$CRIU" check >/dev/null 2>&1 || echo "criu check fails with $CRIU on this kernel"
}
CRIU_SKIP=$(criu_skip_reason)

need_criu()
{
	[ -z "$CRIU_SKIP" ] || skip "$CRIU_SKIP"
}

# Counts into /tmp/c from a child of the init, whose pid is in /tmp/child.
# Its stdio is the container's own /dev/null: the harness's output files
# live outside the container, where criu cannot follow them.
COUNTER=(sh -c 'exec </dev/null >/dev/null 2>&1
	(i=0; while :; do i=$((i+1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/c;
	sleep 0.02; done) & echo $! > /tmp/child; wait')

count()
{
	cat "$B/rootfs/tmp/c" 2>/dev/null || echo 0
}

counting()
{
	local a
	a=$(count)
	wait_until 5 eval '[ "$(count)" -gt "$a" ]'
}

start_counter()
{
	need_criu
	mkbundle "${COUNTER[@]}"
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	counting || fail "counter never started"
}

# The container's processes as its own pid namespace numbers them.
inner_pids()
{
	local id=$1 p
	rt ps --format json "$id"
	expect_rc 0
	for p in $(jq -r '.[]' "$OUT"); do
		awk '/^NSpid:/ { print $NF }' "/proc/$p/status"
	done | sort -n | tr '\n' ' '
}

checkpoint()
{
	rt --criu "$CRIU" checkpoint --image-path "$T/img" --work-path "$T/work" "$@"
}

restore()
{
	rt --criu "$CRIU" restore -d --image-path "$T/img" --work-path "$T/work" --bundle "$B" "$@"
}

status_of()
{
	rt state "$1"
	jq -r .status "$OUT"
}

test_counter_continues_after_restore_with_same_pids_inside()
{
	start_counter
	local before at_dump
	before=$(inner_pids "$ID")
	checkpoint "$ID"
	expect_rc 0
	[ -f "$T/img/inventory.img" ] || fail "no images in $T/img"
	rt state "$ID"
	[ "$RC" != 0 ] || [ "$(jq -r .status "$OUT")" = stopped ] ||
		fail "container still there after checkpoint: $(cat "$OUT")"
	at_dump=$(count)
	sleep 0.2
	[ "$(count)" = "$at_dump" ] || fail "counter went on after checkpoint: $at_dump -> $(count)"
	restore "$ID"
	expect_rc 0
	[ "$(status_of "$ID")" = running ] || fail "restored container is not running"
	[ "$(count)" -ge "$at_dump" ] || fail "counter went back: $at_dump -> $(count)"
	counting || fail "counter did not go on after restore (at $at_dump)"
	[ "$(count)" -lt $((at_dump + 200)) ] || fail "counter restarted? $at_dump -> $(count)"
	[ "$(inner_pids "$ID")" = "$before" ] ||
		fail "pids inside changed: '$before' -> '$(inner_pids "$ID")'"
}

test_restored_state_records_the_new_init()
{
	start_counter
	checkpoint "$ID"
	expect_rc 0
	restore --pid-file "$T/pid" "$ID"
	expect_rc 0
	rt state "$ID"
	local pid
	pid=$(jq -r .pid "$OUT")
	[ "$pid" = "$(cat "$T/pid")" ] || fail "state pid $pid, pid file $(cat "$T/pid")"
	[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$pid/status")" = 1 ] ||
		fail "pid $pid is not the container's init"
	grep -q "/$CGROUP_PARENT/$ID\$" "/proc/$pid/cgroup" ||
		fail "restored init is not in its cgroup: $(cat "/proc/$pid/cgroup")"
	rt exec "$ID" cat /tmp/child
	expect_rc 0
	rt kill "$ID" KILL
	expect_rc 0
	wait_until 5 eval '[ "$(status_of "$ID")" = stopped ]' || fail "kill after restore"
}

test_leave_running_keeps_counting_and_restores_elsewhere()
{
	start_counter
	checkpoint --leave-running "$ID"
	expect_rc 0
	[ "$(status_of "$ID")" = running ] || fail "container stopped despite --leave-running"
	counting || fail "counter stopped after checkpoint --leave-running"
	rt delete --force "$ID"
	expect_rc 0
	local new=$ID-restored
	cfg '.linux.cgroupsPath = $cg' --arg cg "/$CGROUP_PARENT/$new"
	restore "$new"
	expect_rc 0
	[ "$(status_of "$new")" = running ] || fail "restored copy is not running"
	counting || fail "restored copy does not count"
}

test_paused_container_checkpoints_and_stays_paused()
{
	start_counter
	rt pause "$ID"
	expect_rc 0
	checkpoint --leave-running "$ID"
	expect_rc 0
	[ "$(status_of "$ID")" = paused ] || fail "not paused after checkpoint --leave-running"
	local at_dump
	at_dump=$(count)
	rm -rf "$T/img"
	checkpoint "$ID"
	expect_rc 0
	restore "$ID"
	expect_rc 0
	counting || fail "restored container does not count"
	[ "$(count)" -ge "$at_dump" ] || fail "counter went back: $at_dump -> $(count)"
}

test_restore_into_a_new_id()
{
	start_counter
	checkpoint "$ID"
	expect_rc 0
	local new=$ID-new
	cfg '.linux.cgroupsPath = $cg' --arg cg "/$CGROUP_PARENT/$new"
	restore "$new"
	expect_rc 0
	[ "$(status_of "$new")" = running ] || fail "$new is not running"
	rt state "$ID"
	[ "$RC" != 0 ] || fail "old id $ID still exists"
	local pid
	pid=$(jq -r .pid < <("$RUNTIME" --root "$ROOT" state "$new"))
	grep -q "/$CGROUP_PARENT/$new\$" "/proc/$pid/cgroup" ||
		fail "restored init is not in the new cgroup: $(cat "/proc/$pid/cgroup")"
	counting || fail "counter did not go on under the new id"
}

test_restore_runs_prestart_and_poststart_hooks_with_the_new_pid()
{
	start_counter
	checkpoint "$ID"
	expect_rc 0
	cfg '.hooks = {prestart: [{path: "/bin/sh", args: ["sh", "-c", ("cat > " + $t + "/prestart.json")]}],
		poststart: [{path: "/bin/sh", args: ["sh", "-c", ("cat > " + $t + "/poststart.json")]}]}' \
		--arg t "$T"
	restore --pid-file "$T/pid" "$ID"
	expect_rc 0
	[ "$(jq -r .pid "$T/prestart.json" 2>/dev/null)" = "$(cat "$T/pid")" ] ||
		fail "prestart hook saw $(cat "$T/prestart.json" 2>/dev/null), restored pid $(cat "$T/pid")"
	# runc 1.1.5 runs no poststart hooks on restore; ctr does, as after start.
	[ "$RUNTIME_KIND" != ctr ] || [ "$(jq -r .status "$T/poststart.json" 2>/dev/null)" = running ] ||
		fail "poststart hook saw $(cat "$T/poststart.json" 2>/dev/null)"
}

test_read_only_root_stays_read_only_after_restore()
{
	ctr_only "runc 1.1.5 restores a read-only root writable"
	need_criu
	mkbundle "${COUNTER[@]}"
	cfg '.root.readonly = true | .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid"]}]'
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	checkpoint "$ID"
	expect_rc 0
	restore "$ID"
	expect_rc 0
	rt exec "$ID" sh -c 'touch /written 2>/dev/null && echo writable || echo read-only'
	expect_rc 0
	[ "$(out)" = read-only ] || fail "the restored root is $(out)"
	[ ! -e "$B/rootfs/written" ] || fail "a write reached the read-only rootfs"
	! grep -q " $ROOT/" /proc/self/mountinfo || fail "restore left a mount in its state root"
}

test_bind_mount_from_the_host_comes_back_from_its_new_source()
{
	need_criu
	mkdir "$T/data1"
	mkbundle sh -c 'exec </dev/null >/dev/null 2>&1
		i=0; while :; do i=$((i+1)); echo $i > /data/c.new; mv /data/c.new /data/c; sleep 0.02; done'
	cfg '.mounts += [{destination: "/data", type: "bind", source: $src, options: ["rbind", "rw"]}]' \
		--arg src "$T/data1"
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	wait_until 5 test -s "$T/data1/c" || fail "nothing written to the bind mount"
	checkpoint "$ID"
	expect_rc 0
	local at_dump
	at_dump=$(cat "$T/data1/c")
	# The data moves, and the restore's spec names its new place. Moved,
	# not copied into an empty directory: the dump may have caught the shell
	# with c.new open, and criu reopens that file by its path.
	mv "$T/data1" "$T/data2"
	cfg '(.mounts[] | select(.destination == "/data") | .source) = $src' --arg src "$T/data2"
	restore "$ID"
	expect_rc 0
	# The file is replaced by rename: a read sees a whole number.
	wait_until 5 eval '[ "$(cat "$T/data2/c")" -gt "$at_dump" ]' ||
		fail "counter did not go on in the new source: $at_dump -> $(cat "$T/data2/c")"
	[ ! -e "$T/data1" ] || fail "the restored container wrote to the old source"
}

# A client in the container streams numbers to a server in the same
# container over loopback (its own netns); the connection must survive.
# (CAP_NET_ADMIN: the test brings its loopback up itself; the server's
# stdin never ends, or busybox nc would hang up.)
TCP=(sh -c 'exec </dev/null >/dev/null 2>&1
	ip link set lo up
	sleep 100000 | nc -l -p 5000 > /tmp/got & sleep 0.2
	(i=0; while :; do i=$((i+1)); echo $i; sleep 0.02; done) | nc 127.0.0.1 5000 &
	wait')

received()
{
	local n
	n=$(tail -n1 "$B/rootfs/tmp/got" 2>/dev/null)
	echo "${n:-0}"
}

test_tcp_connection_survives_with_tcp_established()
{
	ctr_only "runc 1.1.5's restore of this fails: 'criu failed: type NOTIFY errno 0'"
	need_criu
	mkbundle "${TCP[@]}"
	cfg '.process.capabilities |= with_entries(.value += ["CAP_NET_ADMIN"])'
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	local a
	wait_until 5 eval '[ "$(received)" -gt 3 ]' || fail "no data over the connection"
	checkpoint "$ID"
	[ "$RC" != 0 ] || fail "checkpoint with an open TCP connection succeeded without --tcp-established"
	[ "$(status_of "$ID")" = running ] || fail "a failed checkpoint stopped the container"
	checkpoint --tcp-established "$ID"
	expect_rc 0
	a=$(received)
	restore --tcp-established "$ID"
	expect_rc 0
	wait_until 5 eval '[ "$(received)" -gt $((a + 3)) ]' ||
		fail "connection did not carry on after restore ($a -> $(received))"
}

test_checkpoint_of_a_stopped_container_fails_cleanly()
{
	need_criu
	mkbundle true
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	wait_until 5 eval '[ "$(status_of "$ID")" = stopped ]' || fail "container did not stop"
	checkpoint "$ID"
	[ "$RC" != 0 ] || fail "checkpoint of a stopped container succeeded"
	expect_err_has "stopped"
	[ ! -e "$T/img" ] || fail "a failed checkpoint left $T/img"
	checkpoint "$ID-missing"
	[ "$RC" != 0 ] || fail "checkpoint of a missing container succeeded"
	expect_err_has "does not exist"
}

test_restore_from_a_missing_image_dir_leaves_nothing()
{
	need_criu
	mkbundle "${COUNTER[@]}"
	rt --criu "$CRIU" restore -d --image-path "$T/nothing" --bundle "$B" "$ID"
	[ "$RC" != 0 ] || fail "restore from a missing directory succeeded"
	expect_err_has "$T/nothing"
	rt state "$ID"
	[ "$RC" != 0 ] || fail "a failed restore left container $ID"
	mkdir "$T/empty"
	rt --criu "$CRIU" restore -d --image-path "$T/empty" --bundle "$B" "$ID"
	[ "$RC" != 0 ] || fail "restore from an empty directory succeeded"
	rt state "$ID"
	[ "$RC" != 0 ] || fail "a failed restore left container $ID"
	[ ! -d "$SYSFS_CGROUP/memory/$CGROUP_PARENT/$ID" ] || fail "a failed restore left its cgroup"
}

test_restore_onto_an_existing_id_fails_and_keeps_it()
{
	start_counter
	checkpoint --leave-running "$ID"
	expect_rc 0
	restore "$ID"
	[ "$RC" != 0 ] || fail "restore over a running container succeeded"
	[ "$(status_of "$ID")" = running ] || fail "the existing container was harmed"
	counting || fail "the existing container stopped counting"
}

# recvtty NAME: a receiver on $T/NAME.sock copying the terminal to $T/NAME.out.
recvtty()
{
	"$(helper recvtty)" "$T/$1.sock" "$T/$1.out" &
	bg_track $!
	wait_until 5 test -S "$T/$1.sock" || fail "recvtty did not listen"
}

last_tick()
{
	local n
	n=$(tr -d '\r' <"$T/$1.out" 2>/dev/null | awk '$1 == "tick" { n = $2 } END { print n + 0 }')
	echo "${n:-0}"
}

test_terminal_comes_back_through_the_console_socket()
{
	need_criu
	recvtty tty1
	mkbundle sh -c 'i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.05; done'
	cfg '.process.terminal = true'
	rt create --bundle "$B" --console-socket "$T/tty1.sock" "$ID"
	expect_rc 0
	rt start "$ID"
	expect_rc 0
	wait_until 5 eval '[ "$(last_tick tty1)" -gt 2 ]' || fail "no ticks on the first terminal"
	checkpoint "$ID"
	expect_rc 0
	local at_dump
	at_dump=$(last_tick tty1)
	recvtty tty2
	restore "$ID"
	[ "$RC" != 0 ] || fail "restore of a terminal container without --console-socket succeeded"
	restore --console-socket "$T/tty2.sock" "$ID"
	expect_rc 0
	wait_until 5 eval '[ "$(last_tick tty2)" -gt "$at_dump" ]' ||
		fail "no ticks after $at_dump on the new terminal: $(tail -c 200 "$T/tty2.out")"
}

test_missing_criu_is_a_clear_error()
{
	ctr_only "the message is ctr's"
	mkbundle "${COUNTER[@]}"
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	rt --criu /nonexistent/criu checkpoint --image-path "$T/img" "$ID"
	[ "$RC" != 0 ] || fail "checkpoint without criu succeeded"
	expect_err_has "criu at /nonexistent/criu (--criu) is not an executable"
	[ "$(status_of "$ID")" = running ] || fail "container harmed by a failed checkpoint"
}

run_tests
