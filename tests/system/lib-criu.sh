# shellcheck shell=bash
# tests/system/lib-criu.sh - what checkpoint.sh and migrate.sh share
# (sourced after lib.sh): the criu the tests use, and a busybox container
# whose init counts.
#   CRIU          criu >= 4.1 (CTR_CRIU, /opt/ctr-criu, PATH)
#   criu_skip     why criu cannot be used here (empty when it can)
#   tracks_memory  does criu find soft-dirty tracking (what a pre-dump needs)?
#   make_counter NAME [KEY=VALUE...]
#                 create it (config keys added), install the counter, start
#                 it, wait until it counts. Counts into /tmp/c from a child
#                 of init whose pid is in /tmp/child; both keep the console
#                 as their stdio, as an init does. COUNTER_SCRIPT=$BALLAST
#                 makes the init also hold ~2 MB of text that never changes.
#   count STORE NAME   the count, read from the container's upper layer
#   ballast_ok CTR NAME   does the init still hold that text (its md5sum,
#                 asked for through CTR exec)?
#   pages_kb DIR   the size of the memory pages in one image directory

CRIU=${CTR_CRIU:-/opt/ctr-criu/sbin/criu}
[ -x "$CRIU" ] || CRIU=$(command -v criu || echo /nonexistent/criu)

criu_skip()
{
	[ -x "$CRIU" ] || {
		echo "no criu (tests/install-criu builds 4.1 into /opt/ctr-criu)"
		return
	}
	"$CRIU" check >/dev/null 2>&1 || echo "criu check fails with $CRIU on this kernel"
}

COUNTER='(i=0; while :; do i=$((i+1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/c; sleep 0.02; done) &
echo $! > /tmp/child
wait'

# The init keeps $(seq 1 300000) in memory and, asked through /tmp/ask,
# writes its md5sum to /tmp/answer.
BALLAST='x=$(seq 1 300000)
(i=0; while :; do i=$((i+1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/c; sleep 0.02; done) &
echo $! > /tmp/child
while :; do
	if [ -e /tmp/ask ]; then
		echo "$x" | md5sum > /tmp/answer.new && mv /tmp/answer.new /tmp/answer && rm /tmp/ask
	fi
	sleep 0.05
done'

tracks_memory()
{
	"$CRIU" check --feature mem_dirty_track >/dev/null 2>&1
}

ballast_ok() # CTR NAME
{
	local want got
	want=$(seq 1 300000 | md5sum)
	"$1" exec "$2" -- sh -c 'rm -f /tmp/answer; touch /tmp/ask' </dev/null || return 1
	wait_until 60 "$1" exec "$2" -- test -e /tmp/answer </dev/null || return 1
	got=$("$1" exec "$2" -- cat /tmp/answer </dev/null)
	[ "$got" = "$want" ] || {
		echo "the init's text has md5sum '$got', not '$want'"
		return 1
	}
}

pages_kb() # DIR
{
	du -kc "$1"/pages-*.img | tail -n1 | cut -f1
}

count() # STORE NAME
{
	cat "$1/containers/$2/upper/tmp/c" 2>/dev/null || echo 0
}

make_counter() # NAME [KEY=VALUE...]
{
	local name=$1 args=()
	shift
	for kv in "$@"; do
		args+=(--config-set "$kv")
	done
	ctr create "$name" -t busybox --config-set "init=/bin/sh /counter.sh" "${args[@]}"
	ok
	printf '%s\n' "${COUNTER_SCRIPT:-$COUNTER}" >"$STORE/containers/$name/upper/counter.sh"
	chmod 0755 "$STORE/containers/$name/upper/counter.sh"
	ctr start "$name"
	ok
	wait_until 30 eval "[ \"\$(count $STORE $name)\" -gt 2 ]" || fail "the counter of $name never started"
}
