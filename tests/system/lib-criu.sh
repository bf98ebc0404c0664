# shellcheck shell=bash
# tests/system/lib-criu.sh - what checkpoint.sh and migrate.sh share
# (sourced after lib.sh): the criu the tests use, and a busybox container
# whose init counts.
#   CRIU          criu >= 4.1 (CTR_CRIU, /opt/ctr-criu, PATH)
#   criu_skip     why criu cannot be used here (empty when it can)
#   make_counter NAME [KEY=VALUE...]
#                 create it (config keys added), install the counter, start
#                 it, wait until it counts. Counts into /tmp/c from a child
#                 of init whose pid is in /tmp/child; both keep the console
#                 as their stdio, as an init does.
#   count STORE NAME   the count, read from the container's upper layer

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
	printf '%s\n' "$COUNTER" >"$STORE/containers/$name/upper/counter.sh"
	chmod 0755 "$STORE/containers/$name/upper/counter.sh"
	ctr start "$name"
	ok
	wait_until 5 eval "[ \"\$(count $STORE $name)\" -gt 2 ]" || fail "the counter of $name never started"
}
