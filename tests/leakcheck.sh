#!/bin/bash
# tests/leakcheck.sh - what a test run left on the host.
#
#   leakcheck.sh snapshot FILE   record the current state
#   leakcheck.sh compare FILE    TAP: one "leak check: <kind>" test per kind,
#                                failing with what is new since FILE
#
# Kinds: mounts under the test paths and the runtimes' state paths; cgroup
# directories named ctr* in every hierarchy (never below process_api, which
# belongs to the machine's agent); veth*/ctr* links; named network
# namespaces; container state directories under /run/ctr*; processes whose command
# line or environment (CTR_TEST_BUNDLE, set by lib.sh) points into a test
# bundle (/tmp/ctr-test-*).
# Things that were there before are not reported, so a host with older
# leftovers (or another suite running) does not fail this run for them;
# something that appears meanwhile from elsewhere would, though: on a shared
# development machine, LEAKCHECK_IGNORE (an extended regex matched against
# "KIND<tab>ITEM") leaves out what others make, e.g. 'ctr-cgtest-'.
set -u

CGROUP_ROOT=${LEAKCHECK_CGROUP_ROOT:-/sys/fs/cgroup}
KINDS="mounts cgroups links netns statedirs processes"

snap_mounts()
{
	# Mount ids change; mount point, type and source say what it is.
	awk '{
		for (i = 7; $i != "-"; i++) {}
		if ($5 ~ /^\/tmp\/ctr-test|^\/run\/ctr|^\/run\/runc|^\/run\/containerd\/runc|^\/var\/lib\/ctr(\/|$)|ctr-test/)
			print $5, $(i + 1), $(i + 2)
	}' /proc/self/mountinfo
}

cgroup_hierarchies()
{
	if [ -e "$CGROUP_ROOT/cgroup.controllers" ]; then
		echo "$CGROUP_ROOT" # pure cgroup v2
		return
	fi
	local h
	for h in "$CGROUP_ROOT"/*/; do
		[ -d "$h" ] && [ ! -L "${h%/}" ] && echo "${h%/}"
	done
}

snap_cgroups()
{
	local h
	cgroup_hierarchies | while read -r h; do
		# ctr* directories and everything below them.
		find "$h" -mindepth 1 -name process_api -prune -o -type d -path '*/ctr*' -print 2>/dev/null
	done
}

snap_links()
{
	command -v ip >/dev/null || return 0
	ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); if ($2 ~ /^(veth|ctr)/) print $2 }'
}

snap_netns()
{
	[ -d /run/netns ] && ls -1 /run/netns
	return 0
}

# The runtimes' default roots (/run/ctr-oci, /run/ctr) and their '@' entries
# (caches such as @seccomp-cache; '@' is not valid in a container id) may be
# created by the first run on a freshly booted host and stay, as /run/runc
# does: they are not a container's state. Any other /run/ctr* directory, and
# every container directory below one, is.
snap_statedirs()
{
	find /run -mindepth 1 -maxdepth 1 -name 'ctr*' \
		! -path /run/ctr-oci ! -path /run/ctr -print 2>/dev/null
	find /run -mindepth 2 -maxdepth 2 -path '/run/ctr*' ! -name '@*' -print 2>/dev/null
}

snap_processes()
{
	local pids p
	# The bracket keeps grep's own command line from matching.
	pids=$({
		grep -lasE '/tmp/ctr-tes[t]-[A-Za-z0-9]{6}/' /proc/[0-9]*/cmdline
		# lib.sh puts CTR_TEST_BUNDLE=<bundle> in every container's environment.
		grep -lzs '^CTR_TEST_BUNDLE=/tmp/ctr-test-' /proc/[0-9]*/environ
	} 2>/dev/null | cut -d/ -f3 | sort -un)
	for p in $pids; do
		[ "$p" = $$ ] && continue
		echo "$p $(tr '\0' ' ' 2>/dev/null </proc/"$p"/cmdline)"
	done
}

snapshot()
{
	local kind
	for kind in $KINDS; do
		"snap_$kind" | sed "s|^|$kind	|"
	done | { if [ -n "${LEAKCHECK_IGNORE:-}" ]; then grep -Ev -- "$LEAKCHECK_IGNORE"; else cat; fi; } |
		LC_ALL=C sort -u
}

# Items of this kind now present and not in the saved snapshot.
new_items()
{
	local kind=$1 before=$2 now=$3
	LC_ALL=C comm -13 <(grep "^$kind	" "$before") <(grep "^$kind	" "$now") | cut -f2-
}

compare()
{
	local before=$1 now tries=0 kind n=0 leaked any failed=0
	now=$(mktemp /tmp/leakcheck-now.XXXXXX)
	# A runtime may still be reaping or removing a cgroup for a moment.
	while :; do
		snapshot >"$now"
		any=$(LC_ALL=C comm -13 "$before" "$now")
		[ -z "$any" ] || [ $tries -ge 20 ] || { tries=$((tries + 1)); sleep 0.1; continue; }
		break
	done
	for kind in $KINDS; do
		n=$((n + 1))
		leaked=$(new_items "$kind" "$before" "$now")
		if [ -z "$leaked" ]; then
			echo "ok $n - leak check: $kind"
		else
			echo "not ok $n - leak check: $kind"
			failed=1
			echo "$leaked" | head -n 20 | sed 's/^/# left behind: /'
			[ "$(wc -l <<<"$leaked")" -le 20 ] ||
				echo "# ... and $(($(wc -l <<<"$leaked") - 20)) more"
		fi
	done
	echo "1..$n"
	rm -f "$now"
	return $failed
}

case ${1:-} in
snapshot)
	[ $# = 2 ] || { echo "usage: $0 snapshot FILE" >&2; exit 2; }
	snapshot >"$2"
	;;
compare)
	[ $# = 2 ] || { echo "usage: $0 compare FILE" >&2; exit 2; }
	[ -r "$2" ] || { echo "leakcheck: no snapshot $2" >&2; exit 2; }
	compare "$2"
	;;
*)
	echo "usage: $0 snapshot|compare FILE" >&2
	exit 2
	;;
esac
