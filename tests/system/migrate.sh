#!/bin/bash
# `ctr migrate` between two stores of this machine over ssh to 127.0.0.1
# (an sshd of this file's own on a loopback port, issue 7): the counter of
# a busybox container goes on on the target and never goes backwards, its
# veth keeps MAC and address, and a migration that fails at any step leaves
# the source running.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-criu.sh
. "$(dirname "$0")/lib-criu.sh"

SSHD=/usr/sbin/sshd
PORT=$((20000 + $$ % 20000))
BR=ctrbrM$(($$ % 100000))
SUBNET=10.$((128 + $$ % 120)).$((($$ / 120) % 250 + 2))
STORE2=""
RUNROOT2=""

eval "lib_$(declare -f file_setup)"
file_setup()
{
	lib_file_setup
	[ -z "$SETUP_SKIP$SETUP_ERROR" ] || return
	SETUP_SKIP=$(criu_skip)
	[ -z "$SETUP_SKIP" ] || return
	[ -x "$SSHD" ] || {
		SETUP_SKIP="openssh-server is not installed (tests/install-deps)"
		return
	}
	STORE2=$(mktemp -d /var/lib/ctr-sys-XXXXXX) && RUNROOT2=$(mktemp -d /run/ctr-sys-XXXXXX) || {
		SETUP_ERROR="mktemp failed"
		return
	}
	start_sshd || SETUP_ERROR="sshd did not start on 127.0.0.1:$PORT (see $FILE_TMP/sshd.log)"
}

start_sshd()
{
	local d=$FILE_TMP/ssh
	mkdir -p "$d" /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$d/key" && ssh-keygen -q -t ed25519 -N '' -f "$d/hostkey" &&
		cp "$d/key.pub" "$d/authorized_keys" || return 1
	cat >"$d/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $d/hostkey
AuthorizedKeysFile $d/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
StrictModes no
UsePAM no
PidFile $d/sshd.pid
EOF
	"$SSHD" -f "$d/sshd_config" -E "$FILE_TMP/sshd.log" || return 1
	export CTR_SSH="ssh -i $d/key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
	wait_until 5 eval "$CTR_SSH -o BatchMode=yes -p $PORT root@127.0.0.1 true"
}

# ctr on the target: its own run root; the same id files, as on a host
# whose /etc/subuid gives root the same ranges.
REMOTE_CTR()
{
	echo "env CTR_RUN_ROOT=$RUNROOT2 CTR_SUBUID=$CTR_SUBUID CTR_SUBGID=$CTR_SUBGID $CTR"
}

ctr2()
{
	CTR_ROOT=$STORE2 CTR_RUN_ROOT=$RUNROOT2 "$CTR" "$@" </dev/null
}

migrate() # NAME [ARGS...]
{
	local n=$1
	shift
	ctr migrate "$n" --to "ssh://root@127.0.0.1:$PORT$STORE2" --remote-ctr "$(REMOTE_CTR)" "$@"
}

cleanup_target()
{
	local n
	[ -n "$STORE2" ] || return 0
	for n in $(ctr2 list --format json 2>/dev/null | jq -r '.[].name'); do
		ctr2 destroy --force "$n" >/dev/null 2>&1
	done
}
# (Defined through eval: the harness takes every "test_...()" line of this
# file for a test.)
eval "lib_$(declare -f test_cleanup)"
eval 'test_cleanup() { cleanup_target; lib_test_cleanup; }'

eval "lib_$(declare -f file_cleanup)"
file_cleanup()
{
	local pid
	pid=$(cat "$FILE_TMP/ssh/sshd.pid" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	lib_file_cleanup
	[ -n "$STORE2" ] && rm -rf "$STORE2"
	[ -n "$RUNROOT2" ] && rm -rf "$RUNROOT2"
	ip link del "$BR" 2>/dev/null
	return 0
}

test_a_migrated_counter_runs_on_the_target_and_never_went_backwards()
{
	local n last first prev now child mac ip i
	n=$(new_name)
	make_counter "$n" net.0.type=veth "net.0.link=$BR" "net.0.bridge.ipv4=$SUBNET.1/24"
	child=$("$CTR" exec "$n" -- cat /tmp/child </dev/null)
	mac=$("$CTR" exec "$n" -- cat /sys/class/net/eth0/address </dev/null)
	ip=$("$CTR" exec "$n" -- ip -4 -o addr show eth0 </dev/null | awk '{ print $4 }')
	migrate "$n"
	ok
	[ "$(CTR_ROOT=$STORE2 CTR_RUN_ROOT=$RUNROOT2 state_of_ctr "$n")" = running ] ||
		fail "$n is not running on the target"
	ctr_state_is "$n" stopped || fail "the source is $(state_of_ctr "$n"), not stopped"
	last=$(count "$STORE" "$n")
	first=$(count "$STORE2" "$n")
	[ "$first" -ge "$last" ] || fail "the target started at $first, below the source's $last"
	prev=$first
	for i in 1 2 3 4 5; do
		sleep 0.1
		now=$(count "$STORE2" "$n")
		[ "$now" -ge "$prev" ] || fail "the counter went back from $prev to $now"
		prev=$now
	done
	[ "$prev" -gt "$first" ] || fail "the counter does not go on on the target ($first)"
	[ "$(ctr2 exec "$n" -- cat /tmp/child)" = "$child" ] || fail "the counter's pid changed"
	[ "$(ctr2 exec "$n" -- cat /sys/class/net/eth0/address)" = "$mac" ] || fail "MAC changed"
	[ "$(ctr2 exec "$n" -- ip -4 -o addr show eth0 | awk '{ print $4 }')" = "$ip" ] ||
		fail "address changed from $ip"
	/bin/busybox ping -c 1 -W 2 "${ip%/*}" >/dev/null || fail "the migrated container does not answer ping"
}

test_destroy_source_removes_it_here()
{
	local n
	n=$(new_name)
	make_counter "$n"
	migrate "$n" --destroy-source
	ok
	[ ! -e "$STORE/containers/$n" ] || fail "--destroy-source kept the source"
	[ "$(CTR_ROOT=$STORE2 CTR_RUN_ROOT=$RUNROOT2 state_of_ctr "$n")" = running ] ||
		fail "$n is not running on the target"
}

# With dirty memory tracking, what never changes (the init's ~2 MB of
# text) goes in a pre-dump while the container runs; the final dump, made
# while it is stopped, holds only what changed since.
test_migration_pre_dumps_while_the_container_runs()
{
	tracks_memory || skip "no dirty memory tracking in this kernel (criu check --feature mem_dirty_track): one dump; the vm lane runs this"
	local n d last first pre final
	n=$(new_name)
	d=$STORE2/containers/$n/checkpoint
	COUNTER_SCRIPT=$BALLAST make_counter "$n"
	migrate "$n"
	ok
	[ "$(CTR_ROOT=$STORE2 CTR_RUN_ROOT=$RUNROOT2 state_of_ctr "$n")" = running ] ||
		fail "$n is not running on the target"
	[ -e "$d/pre-dump/inventory.img" ] || fail "no pre-dump reached the target"
	pre=$(pages_kb "$d/pre-dump")
	final=$(pages_kb "$d")
	echo "pages: pre-dump $pre KiB, final dump $final KiB"
	[ "$pre" -ge 1024 ] || fail "the pre-dump has only $pre KiB of pages"
	[ "$final" -lt $((pre / 2)) ] || fail "the final dump sent $final KiB again (pre-dump: $pre KiB)"
	last=$(count "$STORE" "$n")
	first=$(count "$STORE2" "$n")
	[ "$first" -ge "$last" ] || fail "the target started at $first, below the source's $last"
	wait_until 5 eval "[ \"\$(count $STORE2 $n)\" -gt $first ]" || fail "the counter does not go on on the target"
	ballast_ok ctr2 "$n" || fail "the memory sent in the pre-dump came back wrong"
}

test_no_pre_dump_migrates_with_a_single_dump()
{
	local n first
	n=$(new_name)
	make_counter "$n"
	migrate "$n" --no-pre-dump
	ok
	[ "$(CTR_ROOT=$STORE2 CTR_RUN_ROOT=$RUNROOT2 state_of_ctr "$n")" = running ] ||
		fail "$n is not running on the target"
	[ ! -e "$STORE2/containers/$n/checkpoint/pre-dump" ] || fail "--no-pre-dump sent a pre-dump"
	[ ! -e "$STORE2/containers/$n/checkpoint/parent" ] || fail "the checkpoint has a parent"
	first=$(count "$STORE2" "$n")
	[ "$first" -ge "$(count "$STORE" "$n")" ] || fail "the counter went back"
	wait_until 5 eval "[ \"\$(count $STORE2 $n)\" -gt $first ]" || fail "the counter does not go on on the target"
}

test_a_failure_on_the_target_leaves_the_source_running()
{
	local n before
	n=$(new_name)
	# Refuses to restore on the target only (its run root is RUNROOT2).
	cat >"$T/hook" <<EOF
#!/bin/sh
[ "\$CTR_RUN_ROOT" != "$RUNROOT2" ]
EOF
	chmod 0755 "$T/hook"
	make_counter "$n" "hook.pre-restore=$T/hook"
	migrate "$n"
	expect_rc 1
	expect_err_has "runs here again"
	[ "$(wc -l <"$ERR")" = 1 ] || fail "the error is not one line"
	ctr_state_is "$n" running || fail "the source is $(state_of_ctr "$n") after a failed migration"
	before=$(count "$STORE" "$n")
	wait_until 5 eval "[ \"\$(count $STORE $n)\" -gt $before ]" || fail "the source does not count"
	[ ! -e "$STORE2/containers/$n" ] || fail "the target kept the container of a failed migration"
	[ -z "$(ls -A "$STORE2/tmp" 2>/dev/null)" ] || fail "the target kept staging files"
}

test_bad_targets_are_refused_before_anything_stops()
{
	local n
	n=$(new_name)
	make_counter "$n"
	ctr migrate "$n" --to "http://127.0.0.1/x"
	expect_rc 1
	expect_err_has "ssh://"
	ctr migrate "$n" --to "ssh://root@127.0.0.1:$PORT/a b"
	expect_rc 1
	ctr migrate "$n" --to "ssh://root@127.0.0.1:1$STORE2"
	expect_rc 1
	ctr migrate "$n"
	expect_rc 1
	ctr2 create "$n" -t busybox
	migrate "$n"
	expect_rc 1
	expect_err_has "already has a container"
	ctr_state_is "$n" running || fail "a refused migration touched the source"
}

run_tests
