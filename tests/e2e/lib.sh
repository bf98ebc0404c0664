# shellcheck shell=bash
# Shared by the end-to-end tests (sourced, bash): TAP output, bounded client
# calls, and the cleanup of what a client daemon leaves behind.
#
# Every test file runs against the runtime named by RUNTIME (an absolute
# path; default: the ctr-oci built at the top of the tree, i.e. in the
# directory `make` runs from). RUNTIME=/usr/sbin/runc checks the tests
# themselves against the reference runtime.

# shellcheck disable=SC2034 # used by the test files
E2E_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUNTIME=${RUNTIME:-$(pwd)/ctr-oci}
# Upper bounds of any single client call and of the whole file (seconds):
# a runtime that hangs must not hang CI. A normal run takes ~10 s.
E2E_TIMEOUT=${E2E_TIMEOUT:-30}
E2E_BUDGET=${E2E_BUDGET:-240}

t_count=0
t_failed=0

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
ok() { t_count=$((t_count + 1)); echo "ok $t_count - $1"; }
skip() { t_count=$((t_count + 1)); echo "ok $t_count - $1 # SKIP $2"; }
# not_ok NAME [DIAGNOSTIC...]
not_ok() {
	t_count=$((t_count + 1)) t_failed=$((t_failed + 1))
	echo "not ok $t_count - $1"
	shift
	[ $# -eq 0 ] || diag "$@"
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
bail_out() { echo "Bail out! $1"; exit 1; }
# The plan comes last, so a test file need not count its tests up front.
tap_finish() { echo "1..$t_count"; [ "$t_failed" -eq 0 ]; }

# t_run CMD...: runs one client call, bounded; leaves its exit status in
# $rc and its stdout and stderr together in $out (NUL bytes dropped).
t_run() {
	local left=$((E2E_BUDGET - SECONDS)) limit=$E2E_TIMEOUT
	[ "$left" -gt 0 ] || bail_out "over the time budget of ${E2E_BUDGET}s"
	[ "$left" -ge "$limit" ] || limit=$left
	out=$(
		timeout -k 5 "$limit" "$@" 2>&1 | tr -d '\0'
		exit "${PIPESTATUS[0]}"
	)
	rc=$?
	[ "$rc" -ne 124 ] || out="$out
(timed out after ${limit}s)"
}

# expect NAME RC [OUTPUT]: judges the last t_run; OUTPUT, when given, must
# match exactly.
expect() {
	if [ "$rc" = "$2" ] && { [ $# -lt 3 ] || [ "$out" = "$3" ]; }; then
		ok "$1"
	else
		not_ok "$1" "expected exit $2${3+ and output '$3'}" "got exit $rc, output:" "$out"
	fi
}

# expect_failure NAME PATTERN: judges the last t_run: a non-zero exit and
# output that matches PATTERN (grep -i), e.g. the runtime's own message.
expect_failure() {
	if [ "$rc" -ne 0 ] && grep -qi -- "$2" <<<"$out"; then
		ok "$1"
	else
		not_ok "$1" "expected a failure mentioning '$2'" "got exit $rc, output:" "$out"
	fi
}

# expect_state_running ID PID [GLOBAL_FLAG...]: the runtime's own `state`
# says ID is running as PID.
expect_state_running() {
	local id=$1 pid=$2 name="the runtime's state shows the container running with its pid"
	shift 2
	t_run "$RUNTIME" "$@" state "$id"
	if [ "$rc" -eq 0 ] && jq -e --arg id "$id" --arg pid "$pid" \
		'.id == $id and .status == "running" and (.pid | tostring) == $pid' <<<"$out" >/dev/null; then
		ok "$name"
	else
		not_ok "$name" "pid '$pid', exit $rc, output:" "$out"
	fi
}

# expect_memory_limit PID BYTES: the kernel enforces BYTES on PID's cgroup.
expect_memory_limit() {
	local limit
	limit=$(e2e_memory_limit "$1")
	if [ "$limit" = "$2" ]; then
		ok "the memory limit reaches the container's cgroup"
	else
		not_ok "the memory limit reaches the container's cgroup" "pid '$1': limit '$limit', not $2"
	fi
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s until it succeeds.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# e2e_frozen PID: whether the kernel has PID's cgroup frozen (the v1 freezer
# where there is one, else cgroup2's own), not merely a client's record.
e2e_frozen() {
	# Frozen through either freezer: the v1 controller (runc's choice on a
	# hybrid host) or cgroup2's cgroup.freeze (ctr's, on the unified
	# hierarchy a hybrid host mounts at /sys/fs/cgroup/unified).
	local path root
	path=$(awk -F: '$2 == "freezer" { print $3 }' "/proc/$1/cgroup" 2>/dev/null)
	if [ -n "$path" ] &&
		[ "$(cat "/sys/fs/cgroup/freezer$path/freezer.state" 2>/dev/null)" = FROZEN ]; then
		return 0
	fi
	path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup" 2>/dev/null)
	for root in /sys/fs/cgroup/unified /sys/fs/cgroup; do
		grep -qx 'frozen 1' "$root$path/cgroup.events" 2>/dev/null && return 0
	done
	return 1
}

# e2e_memory_limit PID: the memory limit of PID's cgroup in bytes, as the
# kernel has it (v1 memory controller where there is one, else cgroup2).
e2e_memory_limit() {
	local path
	path=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$1/cgroup" 2>/dev/null)
	if [ -n "$path" ]; then
		cat "/sys/fs/cgroup/memory$path/memory.limit_in_bytes" 2>/dev/null
		return
	fi
	path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup" 2>/dev/null)
	cat "/sys/fs/cgroup$path/memory.max" 2>/dev/null
}

# e2e_require CMD...: skips the whole file unless we are root, the runtime
# exists and every client command is installed.
e2e_require() {
	local c
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
	case $RUNTIME in
	/*) ;;
	*) bail_out "RUNTIME must be an absolute path, got '$RUNTIME'" ;;
	esac
	[ -x "$RUNTIME" ] || skip_all "runtime $RUNTIME not built"
	for c in "$@" timeout jq; do
		command -v "$c" >/dev/null || skip_all "$c is not installed"
	done
}

# e2e_fill TEMPLATE OUT: writes a config template with @DIR@ and @RUNTIME@
# replaced.
e2e_fill() {
	sed -e "s|@DIR@|$E2E_DIR|g" -e "s|@RUNTIME@|$RUNTIME|g" "$1" >"$2"
}

# Processes whose command line names our private directory were started by
# our own daemon for us (shims, conmon); the daemon does not always take
# them down with it. Killed by pid.
e2e_kill_leftover_processes() {
	local p
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" != $$ ] && [ "$p" != "$BASHPID" ] || continue
		if tr "\0" " " 2>/dev/null <"/proc/$p/cmdline" | grep -qF -- "$E2E_DIR/"; then
			diag "killing leftover process $p: $(tr "\0" " " 2>/dev/null <"/proc/$p/cmdline")"
			kill -KILL "$p" 2>/dev/null
		fi
	done
}

# Unmounts everything below DIR, deepest first (overlays of rootfs, the
# private bind mounts storage drivers make of their own roots).
e2e_umount_under() {
	local m
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
}

# e2e_child_cgroups PARENT [EXCEPT]: the cgroups below PARENT in any
# hierarchy, other than EXCEPT; one relative path a line, each once.
e2e_child_cgroups() {
	local root
	for root in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ ! -d "$root$1" ] || find "$root$1" -mindepth 1 -type d -printf '%P\n'
	done | grep -vx -- "${2:-}" | sort -u
}

# Removes a cgroup path that clients created for our containers, in every
# hierarchy, deepest first. Only ever called with our own unique parent.
e2e_rmdir_cgroups() {
	local root
	for root in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ -d "$root$1" ] || continue
		find "$root$1" -depth -type d -exec rmdir {} + 2>/dev/null
	done
}

# Last step of every cleanup: the private directory, unless something is
# still mounted there (then removing it could reach through a mount).
e2e_remove_dir() {
	e2e_umount_under "$E2E_DIR"
	if grep -qF " $E2E_DIR" /proc/self/mountinfo; then
		diag "mounts left under $E2E_DIR; not removing it"
		return 1
	fi
	rm -rf "$E2E_DIR"
}
