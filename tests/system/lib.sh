# shellcheck shell=bash
# tests/system/lib.sh - sourced by the system-lane test files (`ctr`).
#
# The harness is tests/lib.sh (test_* functions, TAP, fail, skip, expect_*,
# wait_until, now_ms); this file replaces its per-file setup and cleanup:
#   - a private store and run root per file (CTR_ROOT=/var/lib/ctr-sys-XXXXXX,
#     CTR_RUN_ROOT=/run/ctr-sys-XXXXXX, exported), removed when it ends;
#   - new_name: a container name unique to this file (cgroups live under the
#     shared /ctr parent, so names must not collide with other files);
#   - ctr ARGS...: runs the ctr under test; never fails: $RC, $OUT, $ERR
#     (files) hold the result, as rt does for ctr-oci;
#   - after every test, every container of the store is destroyed with
#     --force; a monitor, state directory or cgroup still left then fails
#     the test and is removed by hand. Also on failure, timeout or interrupt.
#   - store_listing: the store's files, for before/after comparisons.
#
# Environment: CTR (default BUILDDIR/ctr), CTR_TIMEOUT (seconds per ctr
# command, default 60).

# shellcheck source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"

CTR=${CTR:-$BUILDDIR/ctr}
RUNTIME=$CTR # what run_tests names in its header
CTR_TIMEOUT=${CTR_TIMEOUT:-60}
CTR_CGROUP_PARENT=ctr
PREFIX=ts$$
STORE=""
RUNROOT=""

file_setup()
{
	if [ "$(id -u)" != 0 ]; then
		SETUP_SKIP="needs root (system containers)"
		return
	fi
	if [ ! -x "$CTR" ]; then
		SETUP_SKIP="$CTR is not built (run make, or set CTR=/path/to/ctr)"
		return
	fi
	for tool in jq timeout; do
		command -v $tool >/dev/null || {
			SETUP_SKIP="$tool is not installed (tests/install-deps)"
			return
		}
	done
	[ -x /bin/busybox ] || {
		SETUP_SKIP="busybox-static is not installed (the busybox template copies it)"
		return
	}
	RUNTIME_KIND=ctr
	FILE_TMP=$(mktemp -d /tmp/ctr-sys-XXXXXX) &&
		STORE=$(mktemp -d /var/lib/ctr-sys-XXXXXX) &&
		RUNROOT=$(mktemp -d /run/ctr-sys-XXXXXX) || {
		SETUP_ERROR="mktemp failed"
		return
	}
	ROOT=$RUNROOT
	echo 0 >"$FILE_TMP/counter"
	export CTR_ROOT=$STORE CTR_RUN_ROOT=$RUNROOT
}

new_name()
{
	echo "$PREFIX-$(next_n)"
}

ctr()
{
	local n
	n=$(next_n)
	OUT=$T/ctr$n.out
	ERR=$T/ctr$n.err
	LAST_CMD="ctr $*"
	echo "$LAST_CMD" >>"$T/commands"
	RC=0
	timeout --foreground -k 5 "$CTR_TIMEOUT" "$CTR" "$@" </dev/null >"$OUT" 2>"$ERR" || RC=$?
	[ "$RC" != 124 ] || echo "(timed out after ${CTR_TIMEOUT}s)" >>"$ERR"
	return 0
}

# ctr with stdin from a file or pipe: ctr_in INPUT ARGS...
ctr_in()
{
	local input=$1 n
	shift
	n=$(next_n)
	OUT=$T/ctr$n.out
	ERR=$T/ctr$n.err
	LAST_CMD="ctr $* < $input"
	echo "$LAST_CMD" >>"$T/commands"
	RC=0
	timeout --foreground -k 5 "$CTR_TIMEOUT" "$CTR" "$@" <"$input" >"$OUT" 2>"$ERR" || RC=$?
	return 0
}

# Fail unless the last ctr exited 0.
ok()
{
	expect_rc 0
}

store_listing()
{
	(cd "$STORE" && find . ! -name lock | LC_ALL=C sort)
}

# The state of one container as `ctr list --format json` tells it.
state_of_ctr()
{
	"$CTR" list --format json </dev/null 2>/dev/null | jq -r --arg n "$1" '.[] | select(.name == $n) | .state'
}

ctr_state_is()
{
	[ "$(state_of_ctr "$1")" = "$2" ]
}

wait_ctr_state()
{
	wait_until "${3:-5}" ctr_state_is "$1" "$2" ||
		fail "container $1 did not reach state $2 (now: $(state_of_ctr "$1"))"
}

# Processes this file started that outlived their container: monitors (they
# keep CTR_RUN_ROOT in their environment) and anything in a cgroup of ours.
our_monitors()
{
	local p
	[ -n "$RUNROOT" ] || return 0
	for p in $(grep -lzsx "CTR_RUN_ROOT=$RUNROOT" /proc/[0-9]*/environ | cut -d/ -f3); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = ctr-monitor ] && echo "$p"
	done
	return 0
}

our_procs()
{
	{
		our_monitors
		cat "$SYSFS_CGROUP"/*/"$CTR_CGROUP_PARENT/$PREFIX"-*/cgroup.procs 2>/dev/null
	} | sort -un | grep -vxE "$$|$BASHPID"
	return 0
}

our_cgroups()
{
	local d
	for d in "$SYSFS_CGROUP"/*/"$CTR_CGROUP_PARENT/$PREFIX"-*; do
		[ -d "$d" ] && echo "$d"
	done
	return 0
}

test_cleanup()
{
	[ -n "$STORE" ] && [ -d "$STORE" ] || return 0
	local pid name
	if [ -n "$T" ] && [ -f "$T/bg.pids" ]; then
		while read -r pid; do
			kill -KILL "$pid" 2>/dev/null
		done <"$T/bg.pids"
		rm -f "$T/bg.pids"
	fi
	for name in $(ls "$STORE/containers" 2>/dev/null); do
		timeout -k 2 20 "$CTR" destroy --force "$name" </dev/null >/dev/null 2>&1
	done
	return 0
}

leftovers()
{
	local p d
	for d in "$RUNROOT"/*; do
		[ -d "$d" ] && [ "${d##*/}" != @seccomp-cache ] && echo "state directory $d"
	done
	our_cgroups | sed 's/^/cgroup /'
	for p in $(our_procs); do
		echo "process $p: $(tr '\0' ' ' 2>/dev/null </proc/"$p"/cmdline)"
	done
	return 0
}

force_cleanup()
{
	local p d
	for p in $(our_procs); do
		kill -KILL "$p" 2>/dev/null
	done
	sleep 0.2
	for d in "$RUNROOT"/*; do
		[ "${d##*/}" != @seccomp-cache ] && rm -rf "$d"
	done
	for d in $(our_cgroups); do
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	return 0
}

file_cleanup()
{
	[ -n "$FILE_TMP" ] || return 0
	test_cleanup
	[ -n "$(leftovers)" ] && force_cleanup
	[ -n "$STORE" ] && rm -rf "$STORE"
	[ -n "$RUNROOT" ] && rm -rf "$RUNROOT"
	rm -rf "$FILE_TMP"
	# The shared parent goes when nobody else has a container below it.
	rmdir "$SYSFS_CGROUP"/*/"$CTR_CGROUP_PARENT" 2>/dev/null
	FILE_TMP=""
	return 0
}
