#!/bin/bash
# `ctr checkpoint` and `ctr restore` of system containers (CRIU >= 4.1,
# issue 7): an unprivileged busybox container goes on counting from where
# it was dumped with the same pids, a TCP connection inside it survives,
# its veth comes back on the same bridge with the same MAC and address, the
# config's hooks run with the container's name, state and image directory,
# and a failing pre-checkpoint hook leaves it running untouched.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-criu.sh
. "$(dirname "$0")/lib-criu.sh"

BR=ctrbrC$(($$ % 100000))
SUBNET=10.$((128 + $$ % 120)).$((($$ / 120) % 250 + 3))

eval "lib_$(declare -f file_cleanup)"
file_cleanup()
{
	lib_file_cleanup
	ip link del "$BR" 2>/dev/null
	return 0
}

need_criu()
{
	local why
	why=$(criu_skip)
	[ -z "$why" ] || skip "$why"
}

counting() # NAME
{
	local a
	a=$(count "$STORE" "$1")
	wait_until 5 eval "[ \"\$(count $STORE $1)\" -gt $a ]"
}

inside() # NAME COMMAND...: its output, stdin closed
{
	local n=$1
	shift
	"$CTR" exec "$n" -- "$@" </dev/null 2>/dev/null
}

test_a_counter_continues_after_checkpoint_and_restore_with_the_same_pid()
{
	need_criu
	local n before after child uid
	n=$(new_name)
	make_counter "$n"
	child=$(inside "$n" cat /tmp/child)
	uid=$(awk '$1 == 0 { print $2 }' "/proc/$(jq -r .pid "$RUNROOT/$n/state.json")/uid_map")
	ctr checkpoint "$n"
	ok
	expect_out ""
	ctr_state_is "$n" stopped || fail "after checkpoint $n is $(state_of_ctr "$n"), not stopped"
	[ -f "$STORE/containers/$n/checkpoint/inventory.img" ] || fail "no images in checkpoint/"
	before=$(count "$STORE" "$n")
	sleep 0.3
	[ "$(count "$STORE" "$n")" = "$before" ] || fail "the counter went on while checkpointed"
	ctr restore "$n"
	ok
	ctr_state_is "$n" running || fail "after restore $n is $(state_of_ctr "$n")"
	counting "$n" || fail "the counter did not go on after restore"
	after=$(count "$STORE" "$n")
	[ "$after" -gt "$before" ] || fail "counter went from $before to $after"
	[ "$(inside "$n" cat /tmp/child)" = "$child" ] || fail "the child's pid changed"
	inside "$n" kill -0 "$child" || fail "pid $child is not the counter any more"
	# Still unprivileged, with the same range.
	[ "$(awk '$1 == 0 { print $2 }' "/proc/$(jq -r .pid "$RUNROOT/$n/state.json")/uid_map")" = "$uid" ] ||
		fail "uid 0 no longer maps to $uid"
	[ "$uid" -ge 100000 ] || fail "uid 0 maps to $uid"
	# The console came back to the new monitor: what is written to it is logged.
	inside "$n" sh -c 'echo restored-console-works > /dev/console'
	wait_until 5 grep -q restored-console-works "$STORE/containers/$n/console.log" ||
		fail "console output after restore does not reach console.log"
}

test_a_restored_container_stops_and_restores_again()
{
	need_criu
	local n
	n=$(new_name)
	make_counter "$n"
	ctr checkpoint "$n"
	ok
	ctr restore "$n"
	ok
	ctr checkpoint "$n" --dir "$T/second"
	ok
	[ -f "$T/second/inventory.img" ] || fail "--dir got no images"
	ctr restore "$n" --dir "$T/second"
	ok
	counting "$n" || fail "not counting after the second restore"
	ctr stop "$n" --kill
	ok
	ctr_state_is "$n" stopped || fail "a restored container did not stop"
}

test_limits_and_cgroup_come_back_with_the_restored_container()
{
	need_criu
	local n
	n=$(new_name)
	make_counter "$n" limits.memory=64M limits.pids=50
	ctr checkpoint "$n"
	ok
	ctr restore "$n"
	ok
	ctr info "$n" --format json
	ok
	[ "$(jq -r .memory.limit "$OUT")" = 67108864 ] || fail "memory limit after restore: $(jq -c .memory "$OUT")"
	[ "$(jq -r .pids "$OUT")" -ge 3 ] || fail "the restored processes are not in the container's cgroup"
	# pids.max holds: a fork burst inside stops at 50.
	"$CTR" exec "$n" -- sh -c 'for i in $(seq 60); do sleep 5 & done; wait' </dev/null >/dev/null 2>&1
	ctr info "$n" --format json
	[ "$(jq -r .pids "$OUT")" -le 50 ] || fail "pids.max not enforced after restore ($(jq -r .pids "$OUT"))"
}

test_leave_running_dumps_and_keeps_counting()
{
	need_criu
	local n
	n=$(new_name)
	make_counter "$n"
	ctr checkpoint "$n" --leave-running
	ok
	ctr_state_is "$n" running || fail "--leave-running stopped it"
	counting "$n" || fail "not counting after --leave-running"
	[ -f "$STORE/containers/$n/checkpoint/inventory.img" ] || fail "no images"
}

test_a_tcp_connection_inside_survives()
{
	need_criu
	local n got
	n=$(new_name)
	make_counter "$n"
	# A server and a client that sends a line every 50 ms over loopback.
	"$CTR" exec "$n" -- sh -c 'exec </dev/null >/dev/null 2>&1
		sleep 1000 | nc -l -p 7000 > /tmp/recv & sleep 0.2
		(i=0; while :; do i=$((i+1)); echo $i; sleep 0.05; done) | nc 127.0.0.1 7000 &' ||
		fail "could not start the connection"
	wait_until 5 eval '[ "$(wc -l < "$STORE/containers/$n/upper/tmp/recv")" -gt 3 ]' ||
		fail "no data over the connection"
	ctr checkpoint "$n"
	ok
	got=$(wc -l <"$STORE/containers/$n/upper/tmp/recv")
	ctr restore "$n"
	ok
	wait_until 5 eval '[ "$(wc -l < "$STORE/containers/$n/upper/tmp/recv")" -gt $((got + 5)) ]' ||
		fail "the connection did not carry on after restore (stuck at $got lines)"
	[ "$(inside "$n" pidof nc | wc -w)" = 2 ] || fail "a nc is gone"
}

test_a_veth_comes_back_on_its_bridge_with_its_mac_and_address()
{
	need_criu
	local n mac ip host
	n=$(new_name)
	make_counter "$n" net.0.type=veth "net.0.link=$BR" "net.0.bridge.ipv4=$SUBNET.1/24"
	mac=$(inside "$n" cat /sys/class/net/eth0/address)
	ip=$(inside "$n" ip -4 -o addr show eth0 | awk '{ print $4 }')
	[ -n "$mac" ] && [ -n "$ip" ] || fail "no eth0 inside (mac '$mac', address '$ip')"
	host=$("$BUILDDIR/tests/integration/progs/nettest" vethname "$STORE" "$n" 0)
	ctr checkpoint "$n"
	ok
	# The kernel removes a namespace's veths asynchronously.
	wait_until 5 eval "! ip link show $host >/dev/null 2>&1" || fail "host end $host outlived the dump"
	ctr restore "$n"
	ok
	ip link show "$host" | grep -q "master $BR" || fail "$host is not on $BR after restore"
	ip link show "$host" | grep -q "state UP\|,UP" || fail "$host is not up"
	[ "$(inside "$n" cat /sys/class/net/eth0/address)" = "$mac" ] || fail "MAC changed"
	[ "$(inside "$n" ip -4 -o addr show eth0 | awk '{ print $4 }')" = "$ip" ] ||
		fail "address changed from $ip"
	/bin/busybox ping -c 1 -W 2 "${ip%/*}" >/dev/null || fail "the restored container does not answer ping"
}

# ctr checkpoint killed while criu has the network locked (the host end
# off its bridge): the next command puts the veth back.
test_a_network_lock_left_by_a_killed_checkpoint_is_undone_by_the_next_command()
{
	need_criu
	local n ip host pid criu try caught=""
	n=$(new_name)
	make_counter "$n" net.0.type=veth "net.0.link=$BR" "net.0.bridge.ipv4=$SUBNET.1/24"
	ip=$(inside "$n" ip -4 -o addr show eth0 | awk '{ print $4 }')
	host=$("$BUILDDIR/tests/integration/progs/nettest" vethname "$STORE" "$n" 0)
	for try in 1 2 3 4 5 6 7 8; do
		"$CTR" checkpoint "$n" --leave-running --dir "$T/ck$try" </dev/null >/dev/null 2>&1 &
		pid=$!
		# Lock to unlock takes ~150 ms here: catch the host end off its bridge.
		while kill -0 "$pid" 2>/dev/null; do
			if ! ip link show "$host" 2>/dev/null | grep -q "master $BR"; then
				criu=$(pgrep -P "$pid" || true)
				kill -9 "$pid"
				caught=$try
				break
			fi
		done
		wait "$pid" 2>/dev/null || true
		[ -z "$caught" ] || break
	done
	[ -n "$caught" ] || skip "8 checkpoints ended before the lock could be caught"
	for p in $criu; do
		wait_until 10 eval "! kill -0 $p 2>/dev/null" || fail "criu $p outlived its ctr"
	done
	[ -e "$STORE/containers/$n/net-locked" ] || fail "no record of the network lock"
	ip link show "$host" | grep -q "master $BR" && fail "$host is on $BR: the lock was not caught"
	ctr list
	ok
	ip link show "$host" | grep -q "master $BR" || fail "$host is still off $BR after ctr list"
	[ ! -e "$STORE/containers/$n/net-locked" ] || fail "the lock record stayed"
	ctr_state_is "$n" running || fail "the container is $(state_of_ctr "$n")"
	/bin/busybox ping -c 1 -W 2 "${ip%/*}" >/dev/null || fail "the container does not answer ping"
}

# A hook that writes its point and arguments to $T/hooks, failing if its
# point is the one named in $T/fail-at.
write_hook()
{
	cat >"$T/hook" <<EOF
#!/bin/sh
echo "\$1 \$2 \$3 \$4 \$CTR_STATE" >> "$T/hooks"
[ "\$1" != "\$(cat "$T/fail-at" 2>/dev/null)" ]
EOF
	chmod 0755 "$T/hook"
}

hook_keys()
{
	local p
	for p in pre-checkpoint post-checkpoint pre-restore post-restore; do
		echo "hook.$p=$T/hook $p"
	done
}

test_hooks_run_around_checkpoint_and_restore_with_name_state_and_dir()
{
	need_criu
	local n dir keys=()
	n=$(new_name)
	write_hook
	mapfile -t keys < <(hook_keys)
	make_counter "$n" "${keys[@]}"
	ctr checkpoint "$n"
	ok
	ctr restore "$n"
	ok
	dir=$STORE/containers/$n/checkpoint
	printf '%s\n' "pre-checkpoint $n running $dir running" \
		"post-checkpoint $n stopped $dir stopped" \
		"pre-restore $n stopped $dir stopped" \
		"post-restore $n running $dir running" >"$T/want"
	diff -u "$T/want" "$T/hooks" || fail "hooks ran differently"
}

test_a_failing_pre_checkpoint_hook_leaves_the_container_running()
{
	need_criu
	local n keys=()
	n=$(new_name)
	write_hook
	echo pre-checkpoint >"$T/fail-at"
	mapfile -t keys < <(hook_keys)
	make_counter "$n" "${keys[@]}"
	ctr checkpoint "$n"
	expect_rc 1
	expect_err_has "hook.pre-checkpoint"
	[ "$(wc -l <"$ERR")" = 1 ] || fail "the error is not one line"
	ctr_state_is "$n" running || fail "a failing hook stopped the container"
	counting "$n" || fail "not counting after the refused checkpoint"
	[ ! -e "$STORE/containers/$n/checkpoint" ] && [ ! -e "$STORE/containers/$n/checkpoint.new" ] ||
		fail "a refused checkpoint left images"
	grep -q post-checkpoint "$T/hooks" && fail "post-checkpoint ran after a refused checkpoint"
	echo pre-restore >"$T/fail-at"
	ctr checkpoint "$n"
	ok
	ctr restore "$n"
	expect_rc 1
	expect_err_has "hook.pre-restore"
	ctr_state_is "$n" stopped || fail "a failing pre-restore hook still restored"
	rm "$T/fail-at"
	ctr restore "$n"
	ok
}

test_bad_requests_are_refused_and_change_nothing()
{
	need_criu
	local n before
	n=$(new_name)
	ctr create "$n" -t busybox
	ok
	before=$(store_listing)
	ctr restore "$n"
	expect_rc 1
	expect_err_has "holds no checkpoint"
	ctr checkpoint "$n"
	expect_rc 1
	expect_err_has "only a running one"
	ctr checkpoint "$PREFIX-nosuch"
	expect_rc 1
	expect_err_has "does not exist"
	ctr checkpoint "$n" --pre-dump --leave-running
	expect_rc 1
	[ "$(store_listing)" = "$before" ] || fail "a refused request changed the store"
	ctr start "$n"
	ok
	# A --dir of other files is never replaced.
	mkdir -p "$T/mine" && echo keep >"$T/mine/notes"
	ctr checkpoint "$n" --dir "$T/mine"
	expect_rc 1
	expect_err_has "holds no checkpoint"
	[ "$(cat "$T/mine/notes")" = keep ] || fail "a checkpoint replaced a directory of other files"
	[ ! -e "$T/mine.new" ] || fail "a refused checkpoint left $T/mine.new"
	ctr restore "$n" --dir "$T/nothing"
	expect_rc 1
	ctr_state_is "$n" running || fail "a refused restore touched the running container"
}

# Soft-dirty memory tracking is what makes a pre-dump worth anything; a
# kernel without it (as this VM's) gets a one-line refusal instead.
test_pre_dump_is_refused_in_one_line_without_memory_tracking()
{
	need_criu
	! tracks_memory || skip "this kernel tracks dirty memory: the pre-dump test runs instead"
	local n
	n=$(new_name)
	make_counter "$n"
	ctr checkpoint "$n" --pre-dump
	expect_rc 1
	expect_err_has "memory tracking"
	[ "$(wc -l <"$ERR")" = 1 ] || fail "the refusal is not one line"
	ctr_state_is "$n" running || fail "a refused pre-dump stopped the container"
	counting "$n" || fail "not counting after a refused pre-dump"
}

# The pre-dump holds the memory that did not change (the init's ~2 MB of
# text); the checkpoint after it only what did, and takes the pre-dump in
# as its parent, so its directory restores on its own.
test_a_checkpoint_on_a_pre_dump_restores_the_memory_it_did_not_dump_again()
{
	need_criu
	tracks_memory || skip "no dirty memory tracking in this kernel (criu check --feature mem_dirty_track); the vm lane runs this"
	local n d pre final last
	n=$(new_name)
	d=$STORE/containers/$n/checkpoint
	COUNTER_SCRIPT=$BALLAST make_counter "$n"
	ctr checkpoint "$n" --pre-dump
	ok
	[ -e "$d.pre/inventory.img" ] || fail "no pre-dump in $d.pre"
	ctr_state_is "$n" running || fail "the pre-dump stopped the container"
	counting "$n" || fail "not counting after --pre-dump"
	ctr checkpoint "$n"
	ok
	last=$(count "$STORE" "$n")
	[ ! -e "$d.pre" ] || fail "the pre-dump stayed beside the checkpoint"
	[ "$(readlink "$d/parent")" = pre-dump ] || fail "parent is $(readlink "$d/parent"), not pre-dump"
	pre=$(pages_kb "$d/pre-dump")
	final=$(pages_kb "$d")
	echo "pages: pre-dump $pre KiB, checkpoint $final KiB"
	[ "$pre" -ge 1024 ] || fail "the pre-dump has only $pre KiB of pages"
	[ "$final" -lt $((pre / 2)) ] || fail "the checkpoint dumped $final KiB again (pre-dump: $pre KiB)"
	ctr restore "$n"
	ok
	[ "$(count "$STORE" "$n")" -ge "$last" ] || fail "the counter went back from $last"
	counting "$n" || fail "not counting after a restore from a pre-dump"
	ballast_ok "$CTR" "$n" || fail "the memory that only the pre-dump held came back wrong"
}

run_tests
