# shellcheck shell=bash
# tests/lib.sh - sourced by every integration test file (bash).
#
# A test file defines functions named test_<behaviour> and ends with
# `run_tests`; each function runs in its own subshell with `set -e`, in
# definition order, and is reported as one TAP line named after it. Inside a
# test:
#   mkbundle ARGS...    new bundle ($B) and container id ($ID) whose process
#                       runs ARGS; config.json from `$RUNTIME spec`, edited:
#                       terminal false, cgroupsPath /ctr-test/<id>,
#                       hostname <id>, writable root, CTR_TEST_BUNDLE=<bundle>
#                       in the environment (procs_in finds its processes)
#   cfg FILTER [JQ ARGS...]   edit $B/config.json with jq
#   rt ARGS...          run the runtime with this file's private --root;
#                       never fails: $RC, $OUT, $ERR (files) hold the result
#   rt_bg ARGS... / rt_wait   the same in the background (run in foreground
#                       mode, console receivers...)
#   expect_rc N / expect_out TEXT / expect_out_has TEXT / expect_err_has TEXT
#   fail MSG            stop the test; the last command, its exit code,
#                       stdout and stderr become TAP diagnostics
#   skip REASON         report the test as skipped
#   ctr_only REASON     skip unless the runtime under test is ctr
# Everything a test made (containers, host mounts, background processes) is
# removed after it with `delete --force`, and the file's state root and
# bundles when the file ends, also on failure, timeout or interrupt. A test
# after which delete --force left a state directory, a cgroup or a process
# fails with what was left, which is then killed and removed by hand.
#
# Environment: RUNTIME (default: ctr-oci at the top of the build tree),
# BUILDDIR (where `make` built things; default: the top of the source tree),
# RT_TIMEOUT (seconds one runtime command may take, default 60),
# CTR_TEST_ONLY (a bash regex: only the test functions it matches run).

set -u

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$LIB_DIR/.." && pwd)
BUILDDIR=${BUILDDIR:-$TOP}
RUNTIME_DEFAULTED=0
if [ -z "${RUNTIME:-}" ]; then
	RUNTIME=$BUILDDIR/ctr-oci
	RUNTIME_DEFAULTED=1
fi
TEMPLATE=$TOP/templates/busybox
CGROUP_PARENT=ctr-test
# One hung runtime command fails its test, not the whole file.
RT_TIMEOUT=${RT_TIMEOUT:-60}
SYSFS_CGROUP=/sys/fs/cgroup

# --- what is under test ----------------------------------------------------

runtime_kind()
{
	case ${RUNTIME##*/} in
	runc*) echo runc; return ;;
	crun*) echo crun; return ;;
	esac
	case $("$RUNTIME" --version 2>/dev/null | head -n1) in
	runc*) echo runc ;;
	crun*) echo crun ;;
	*) echo ctr ;;
	esac
}

# --- TAP -------------------------------------------------------------------

TAP_N=0
TAP_FAILED=0

tap_line()
{
	TAP_N=$((TAP_N + 1))
	echo "$1 $TAP_N - $2"
}

tap_diag()
{
	sed 's/^/# /'
}

# --- per-file setup ---------------------------------------------------------

SETUP_SKIP=""
SETUP_ERROR=""
FILE_TMP=""
ROOT=""

file_setup()
{
	if [ "$(id -u)" != 0 ]; then
		SETUP_SKIP="needs root (integration tests run real containers)"
		return
	fi
	if [ ! -x "$RUNTIME" ]; then
		if [ "$RUNTIME_DEFAULTED" = 1 ]; then
			SETUP_SKIP="$RUNTIME is not built (run make, or set RUNTIME=/path/to/runtime)"
		else
			SETUP_ERROR="RUNTIME=$RUNTIME is not an executable"
		fi
		return
	fi
	for tool in jq timeout mount; do
		command -v $tool >/dev/null || {
			SETUP_SKIP="$tool is not installed (tests/install-deps)"
			return
		}
	done
	RUNTIME_KIND=$(runtime_kind)
	FILE_TMP=$(mktemp -d /tmp/ctr-test-XXXXXX) || {
		SETUP_ERROR="mktemp /tmp/ctr-test-XXXXXX failed"
		return
	}
	ROOT=$(mktemp -d /run/ctr-test-XXXXXX) || {
		SETUP_ERROR="mktemp /run/ctr-test-XXXXXX failed"
		return
	}
	# Bundles must be reachable for a container's mapped root (user ns).
	chmod 755 "$FILE_TMP"
	echo 0 >"$FILE_TMP/counter"
	mkdir "$FILE_TMP/rootfs" "$FILE_TMP/spec"
	if ! "$TEMPLATE" "$FILE_TMP/rootfs" ctr-test >/dev/null 2>"$FILE_TMP/setup.err"; then
		SETUP_ERROR="busybox template failed: $(cat "$FILE_TMP/setup.err")"
		return
	fi
	if ! (cd "$FILE_TMP/spec" && "$RUNTIME" spec) >/dev/null 2>"$FILE_TMP/setup.err" ||
		! jq -e . "$FILE_TMP/spec/config.json" >/dev/null 2>>"$FILE_TMP/setup.err"; then
		SETUP_ERROR="$RUNTIME spec did not write a valid config.json: $(cat "$FILE_TMP/setup.err")"
		return
	fi
}

file_cleanup()
{
	[ -n "$FILE_TMP" ] || return 0
	test_cleanup
	# Interrupted mid-test: what delete --force could not remove goes too.
	[ -n "$T" ] && [ -f "$T/bundles" ] && force_cleanup
	[ -n "$ROOT" ] && rm -rf "$ROOT"
	# A mount left under the bundles is a runtime bug for the leak check to
	# report; never let rm -rf walk into it.
	if grep -q " ${FILE_TMP}[/ ]" /proc/self/mountinfo; then
		echo "# warning: kept $FILE_TMP: something is still mounted below it"
	else
		rm -rf "$FILE_TMP"
	fi
	# Runtimes create the shared parent cgroup and leave it; it goes when
	# it is empty (rmdir fails on a cgroup with children).
	rmdir "$SYSFS_CGROUP"/*/"$CGROUP_PARENT" 2>/dev/null
	FILE_TMP=""
	return 0
}

on_signal()
{
	echo "# interrupted by SIG$1: cleaning up"
	file_cleanup
	trap - EXIT
	exit $((128 + $2))
}

# --- per-test state and cleanup ----------------------------------------------

T=""       # this test's scratch directory
RC=""      # exit code of the last rt
OUT=""     # its stdout (a file)
ERR=""     # its stderr (a file)
LAST_CMD=""
B=""
ID=""

test_cleanup()
{
	[ -n "$ROOT" ] && [ -d "$ROOT" ] || return 0
	local pid mnt dir
	# Background helpers first, so none holds a container open.
	if [ -n "$T" ] && [ -f "$T/bg.pids" ]; then
		while read -r pid; do
			kill -KILL "$pid" 2>/dev/null
		done <"$T/bg.pids"
		rm -f "$T/bg.pids"
	fi
	for dir in "$ROOT"/*; do
		[ -d "$dir" ] || continue
		timeout -k 2 10 "$RUNTIME" --root "$ROOT" delete --force "${dir##*/}" \
			</dev/null >/dev/null 2>&1
	done
	if [ -n "$T" ] && [ -f "$T/netns" ]; then
		while read -r mnt; do
			ip netns del "$mnt" 2>/dev/null
		done <"$T/netns"
		rm -f "$T/netns"
	fi
	if [ -n "$T" ] && [ -f "$T/mounts" ]; then
		while read -r mnt; do
			umount -l "$mnt" 2>/dev/null
		done <"$T/mounts"
		rm -f "$T/mounts"
	fi
	return 0
}

# --- helpers for tests --------------------------------------------------------

# A named network namespace for this test (removed by test_cleanup).
host_netns()
{
	local name=ctrt-$$-$(next_n)
	ip netns add "$name" || fail "ip netns add $name"
	echo "$name" >>"$T/netns"
	NETNS=/run/netns/$name
}

fail()
{
	{
		echo "$*"
		if [ -n "$LAST_CMD" ]; then
			echo "command: $LAST_CMD"
			echo "exit code: $RC"
			[ -s "$ERR" ] && { echo "stderr:"; head -c 2000 "$ERR"; echo; }
			[ -s "$OUT" ] && { echo "stdout:"; head -c 2000 "$OUT"; echo; }
		fi
	} >&2
	exit 1
}

skip()
{
	echo "$*" >"$T/skip"
	exit 77
}

ctr_only()
{
	[ "$RUNTIME_KIND" = ctr ] || skip "ctr only: $* (RUNTIME is $RUNTIME_KIND)"
}

next_n()
{
	local n
	n=$(($(cat "$FILE_TMP/counter") + 1))
	echo "$n" >"$FILE_TMP/counter"
	echo "$n"
}

new_id()
{
	echo "ctrt-$$-$(next_n)"
}

# Run the runtime; results in RC/OUT/ERR. Each call gets its own output files
# because a created container keeps the runtime's stdout open.
rt()
{
	local n
	n=$(next_n)
	OUT=$T/rt$n.out
	ERR=$T/rt$n.err
	LAST_CMD="$RUNTIME --root $ROOT $*"
	echo "$LAST_CMD" >>"$T/commands"
	RC=0
	timeout --foreground -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$ROOT" "$@" \
		</dev/null >"$OUT" 2>"$ERR" || RC=$?
	[ "$RC" != 124 ] || echo "(timed out after ${RT_TIMEOUT}s)" >>"$ERR"
	return 0
}

rt_bg()
{
	local n
	n=$(next_n)
	BG_OUT=$T/rt$n.out
	BG_ERR=$T/rt$n.err
	BG_CMD="$RUNTIME --root $ROOT $*"
	echo "$BG_CMD &" >>"$T/commands"
	timeout --foreground -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$ROOT" "$@" \
		</dev/null >"$BG_OUT" 2>"$BG_ERR" &
	BG_PID=$!
}

# Wait for the last rt_bg (at most $1 seconds, default 10); its result
# becomes RC/OUT/ERR.
rt_wait()
{
	local limit=${1:-10} i=0
	while kill -0 "$BG_PID" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $((limit * 20)) ]; then
			kill -KILL "$BG_PID" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	RC=0
	wait "$BG_PID" || RC=$?
	OUT=$BG_OUT ERR=$BG_ERR LAST_CMD=$BG_CMD
}

# Start a helper process that test_cleanup kills if it is still there.
bg_track()
{
	echo "$1" >>"$T/bg.pids"
}

# Mount something on the host for this test; unmounted after it.
host_mount()
{
	mount "$@" || fail "mount $* failed"
	echo "${*: -1}" >>"$T/mounts"
}

# Poll CMD... every 50 ms for up to $1 seconds.
wait_until()
{
	local deadline
	deadline=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

now_ms()
{
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

mkbundle()
{
	[ $# -gt 0 ] || set -- true
	local n
	n=$(next_n)
	ID=ctrt-$$-$n
	B=$FILE_TMP/b$n
	mkdir "$B"
	echo "$ID $B" >>"$T/bundles"
	cp -a "$FILE_TMP/rootfs" "$B/rootfs"
	local args='[]' a
	# One --arg each: jq would parse an argument like "-c" as its own option.
	for a in "$@"; do
		args=$(jq -c --arg a "$a" '. + [$a]' <<<"$args") || fail "mkbundle: jq failed"
	done
	jq --arg id "$ID" --arg cg "/$CGROUP_PARENT/$ID" --argjson args "$args" --arg bundle "$B" '
		.process.args = $args
		| .process.terminal = false
		| .root = {path: "rootfs", readonly: false}
		| .process.env = ((.process.env // []) + ["CTR_TEST_BUNDLE=" + $bundle])
		| .hostname = $id
		| .linux.cgroupsPath = $cg' \
		"$FILE_TMP/spec/config.json" >"$B/config.json" ||
		fail "mkbundle: jq failed"
}

cfg()
{
	local filter=$1
	shift
	jq "$@" "$filter" "$B/config.json" >"$B/config.json.new" || fail "cfg: jq '$filter' failed"
	mv "$B/config.json.new" "$B/config.json"
}

out()
{
	cat "$OUT"
}

expect_rc()
{
	[ "$RC" = "$1" ] || fail "expected exit code $1, got $RC"
}

expect_out()
{
	local got
	got=$(cat "$OUT")
	[ "$got" = "$1" ] || fail "expected stdout '$1', got '$got'"
}

expect_out_has()
{
	grep -qF -- "$1" "$OUT" || fail "expected '$1' in stdout"
}

expect_err_has()
{
	grep -qF -- "$1" "$ERR" || fail "expected '$1' in stderr"
}

# The runtime's view of a container: `state` must succeed.
state_of()
{
	rt state "$1"
	expect_rc 0
	jq -r ".$2" "$OUT"
}

status_is()
{
	[ "$(timeout -k 2 5 "$RUNTIME" --root "$ROOT" state "$1" 2>/dev/null </dev/null |
		jq -r .status 2>/dev/null)" = "$2" ]
}

wait_status()
{
	wait_until "${3:-5}" status_is "$1" "$2" ||
		fail "container $1 did not reach status $2 (now: $(timeout 5 "$RUNTIME" --root "$ROOT" state "$1" 2>&1 </dev/null))"
}

cgroup_left()
{
	local d
	# Each v1 hierarchy and the cgroup2 mount of a hybrid host, or the root
	# of a pure v2 host.
	for d in "$SYSFS_CGROUP"/*/"$CGROUP_PARENT/$1" "$SYSFS_CGROUP/$CGROUP_PARENT/$1"; do
		[ -d "$d" ] && return 0
	done
	return 1
}

# Nothing of container $1 may remain: no state dir, no cgroup, no list entry.
expect_nothing_left()
{
	[ ! -e "$ROOT/$1" ] || fail "state directory $ROOT/$1 left behind: $(ls -la "$ROOT/$1")"
	! cgroup_left "$1" || fail "cgroup /$CGROUP_PARENT/$1 left behind"
	local procs
	procs=$(procs_in "$FILE_TMP")
	[ -z "$procs" ] || fail "processes inside a test bundle left: $procs"
}

# Pids of processes started from bundles at or below $1: a container's
# processes carry CTR_TEST_BUNDLE=<bundle> in their environment (lib.sh puts
# it in every config; /proc/PID/root cannot tell, it reads "/" across mount
# namespaces), and an init that has not exec'd yet, or a hung runtime, has the
# bundle path as an argument. A pattern never matches grep's own arguments.
procs_in()
{
	{
		grep -lzsE "^CTR_TEST_BUNDLE=$1(/.*)?\$" /proc/[0-9]*/environ
		grep -lzsE "^$1(/.*)?\$" /proc/[0-9]*/cmdline
	} | cut -d/ -f3 | sort -un | grep -vxE "$$|$BASHPID"
	return 0
}

# Pids in container $1's cgroups (an init that is still the runtime's code,
# like "runc init", has neither the marker nor the bundle in its arguments).
procs_in_cgroup()
{
	cat "$SYSFS_CGROUP"/*/"$CGROUP_PARENT/$1"/cgroup.procs \
		"$SYSFS_CGROUP/$CGROUP_PARENT/$1"/cgroup.procs 2>/dev/null | sort -un
	return 0
}

# What delete --force left of this test's containers, one line each.
leftovers()
{
	local id b p
	[ -f "$T/bundles" ] || return 0
	while read -r id b; do
		[ ! -e "$ROOT/$id" ] || echo "state directory $ROOT/$id"
		! cgroup_left "$id" || echo "cgroup /$CGROUP_PARENT/$id"
		for p in $({ procs_in "$b"; procs_in_cgroup "$id"; } | sort -un); do
			echo "process $p: $(tr '\0' ' ' 2>/dev/null </proc/"$p"/cmdline)"
		done
	done <"$T/bundles"
}

# Remove what leftovers() found, so that the next test and the next user of
# this machine start clean; the test that left it is reported failed.
force_cleanup()
{
	local id b p d
	while read -r id b; do
		for p in $(procs_in "$b") $(procs_in_cgroup "$id"); do
			kill -KILL "$p" 2>/dev/null
		done
	done <"$T/bundles"
	sleep 0.2
	while read -r id b; do
		rm -rf "${ROOT:?}/$id"
		for d in "$SYSFS_CGROUP"/*/"$CGROUP_PARENT/$id" "$SYSFS_CGROUP/$CGROUP_PARENT/$id"; do
			[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		done
	done <"$T/bundles"
}

# A helper program built by `make check` (check_PROGRAMS); compiled here
# when the suite runs from a tree where it was not built.
helper()
{
	local name=$1 bin=$BUILDDIR/tests/integration/progs/$1
	if [ -x "$bin" ]; then
		echo "$bin"
		return
	fi
	bin=$FILE_TMP/$name
	if [ ! -x "$bin" ]; then
		${CC:-cc} -O1 -o "$bin" "$LIB_DIR/integration/progs/$name.c" >&2 ||
			fail "cannot build helper $name (run make check)"
	fi
	echo "$bin"
}

# --- the driver -----------------------------------------------------------------

run_one()
{
	local fn=$1 name rc
	name=${fn#test_}
	name=${name//_/ }
	if [ -n "$SETUP_SKIP" ]; then
		tap_line ok "$name # SKIP $SETUP_SKIP"
		return
	fi
	if [ -n "$SETUP_ERROR" ]; then
		tap_line "not ok" "$name"
		echo "setup: $SETUP_ERROR" | tap_diag
		TAP_FAILED=$((TAP_FAILED + 1))
		return
	fi
	T=$FILE_TMP/$fn
	mkdir -p "$T"
	rc=0
	(
		set -e
		trap - EXIT INT TERM
		"$fn"
	) >"$T/diag" 2>&1 || rc=$?
	test_cleanup
	local left
	left=$(leftovers)
	if [ -n "$left" ]; then
		sleep 0.3 # a process may still be on its way out
		left=$(leftovers)
	fi
	if [ -n "$left" ]; then
		{
			echo "cleanup: delete --force of every container left:"
			echo "$left"
		} >>"$T/diag"
		force_cleanup
		rc=1
	fi
	case $rc in
	0) tap_line ok "$name" ;;
	77) tap_line ok "$name # SKIP $(cat "$T/skip")" ;;
	*)
		tap_line "not ok" "$name"
		TAP_FAILED=$((TAP_FAILED + 1))
		tap_diag <"$T/diag"
		[ -s "$T/commands" ] && { echo "commands run:"; cat "$T/commands"; } | tap_diag
		;;
	esac
}

run_tests()
{
	local fn
	trap file_cleanup EXIT
	trap 'on_signal INT 2' INT
	trap 'on_signal TERM 15' TERM
	trap 'on_signal HUP 1' HUP
	file_setup
	[ -z "$SETUP_SKIP" ] && [ -z "$SETUP_ERROR" ] && echo "# runtime: $RUNTIME ($RUNTIME_KIND)"
	for fn in $(grep -o '^test_[A-Za-z0-9_]*()' "$0" | tr -d '()'); do
		[[ -z ${CTR_TEST_ONLY:-} || $fn =~ $CTR_TEST_ONLY ]] || continue
		run_one "$fn"
	done
	echo "1..$TAP_N"
	[ "$TAP_FAILED" = 0 ]
}
