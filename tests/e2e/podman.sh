#!/bin/bash
# podman 4.3 (with conmon) driving $RUNTIME (TAP output).
#
# podman keeps every store (images, containers, its database, events) below
# one temp dir, from our own containers.conf and storage.conf; the busybox
# image is loaded from a local archive. Then the container life cycle as
# podman drives it: run, exec, pause/unpause, stop with TERM then KILL,
# remove, exit codes, terminals.
set -u -o pipefail
# shellcheck source=tests/e2e/e2e-lib
. "$(dirname "$0")/e2e-lib"

e2e_require podman conmon

E2E_DIR=$(mktemp -d /tmp/ctr-e2e-podman.XXXXXX)
# podman's containers go below this cgroup (in every hierarchy), conmon
# below its /conmon; the name keeps them apart from anyone else's.
cgroup_parent=ctr-e2e-podman-$$
image=localhost/ctr-e2e-busybox:latest
export CONTAINERS_CONF=$E2E_DIR/containers.conf
export CONTAINERS_STORAGE_CONF=$E2E_DIR/storage.conf
e2e_fill "$E2E_SRCDIR/containers.conf.in" "$CONTAINERS_CONF"
e2e_fill "$E2E_SRCDIR/storage.conf.in" "$CONTAINERS_STORAGE_CONF"

pm=(podman)
# Direct client calls are bounded too; t_run bounds its own.
client() { timeout -k 5 "$E2E_TIMEOUT" podman "$@"; }
run_opts=(--cgroup-parent "/$cgroup_parent")

cleanup() {
	local id ids
	ids=$(client ps -a -q --no-trunc 2>/dev/null)
	client rm -f -t 0 -a >/dev/null 2>&1
	client rmi -a -f >/dev/null 2>&1
	e2e_kill_leftover_processes
	# podman passes no --root: the runtime's default root holds the state.
	for id in $ids; do
		timeout 20 "$RUNTIME" delete --force "$id" >/dev/null 2>&1
	done
	e2e_rmdir_cgroups "$cgroup_parent"
	e2e_remove_dir
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

status_of() { client inspect -f '{{.State.Status}}' "$1" 2>/dev/null; }
status_is() { [ "$(status_of "$1")" = "$2" ]; }

# expect_stop NAME CONTAINER TIMEOUT EXIT_CODE MIN_S MAX_S: `podman stop -t
# TIMEOUT` ends CONTAINER with EXIT_CODE, taking MIN_S to MAX_S seconds.
expect_stop() {
	local start=$SECONDS took code
	t_run podman stop -t "$3" "$2"
	took=$((SECONDS - start))
	code=$(client inspect -f '{{.State.ExitCode}}' "$2" 2>/dev/null)
	if [ "$rc" -eq 0 ] && status_is "$2" exited && [ "$code" = "$4" ] &&
		[ "$took" -ge "$5" ] && [ "$took" -le "$6" ]; then
		ok "$1"
	else
		not_ok "$1" "exit $rc after ${took}s, status '$(status_of "$2")', exit code '$code', output:" "$out"
	fi
}

t_run "$E2E_SRCDIR/build-image" "$E2E_DIR/busybox.tar" "$image"
[ "$rc" -eq 0 ] || bail_out "cannot build the busybox image: $out"
t_run "${pm[@]}" load -q -i "$E2E_DIR/busybox.tar"
expect "the busybox image loads" 0 "Loaded image: $image"
[ "$rc" -eq 0 ] || bail_out "no image to run"

t_run "${pm[@]}" info --format '{{.Host.OCIRuntime.Path}}'
expect "podman uses the runtime under test" 0 "$RUNTIME"

t_run "${pm[@]}" run --rm "${run_opts[@]}" "$image" echo hello from the container
expect "run prints the command's output" 0 "hello from the container"

t_run "${pm[@]}" run --rm "${run_opts[@]}" "$image" sh -c 'exit 3'
expect "run returns the command's exit code" 3

t_run "${pm[@]}" run --rm -i "${run_opts[@]}" "$image" sh -c 'read -r line; echo "got $line"' <<<"piped in"
expect "run -i passes stdin through to the process" 0 "got piped in"

t_run "${pm[@]}" run --rm "${run_opts[@]}" "$image" /no/such/binary
expect_failure "run of a missing binary fails with the runtime's error" 'no such file'

# podman removes a container whose create failed; nothing of it, nor of
# the runs before it, may stay behind (conmon's own cgroup aside).
no_cgroups_left() { [ -z "$(e2e_child_cgroups "$cgroup_parent" conmon)" ]; }
# checkpoint/restore: podman asks the runtime (which finds criu >= 4.1 in
# /opt/ctr-criu, see tests/install-criu); the log must go on without a
# gap or a restart. runc would use the criu on PATH (3.17 here).
cr_skip=""
case ${RUNTIME##*/} in runc* | crun*) cr_skip="${RUNTIME##*/} uses the criu on PATH" ;; esac
[ -x /opt/ctr-criu/sbin/criu ] || [ -n "${CTR_CRIU:-}" ] || cr_skip="no criu >= 4.1 (tests/install-criu)"
last_logged() { client logs e2e-cr 2>/dev/null | tail -n 1; }
logged_more_than() { [ "$(last_logged)" -gt "$1" ] 2>/dev/null; }
if [ -z "$cr_skip" ]; then
	t_run "${pm[@]}" run -d --name e2e-cr "${run_opts[@]}" "$image" \
		sh -c 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.05; done'
	wait_until 5 logged_more_than 3
	t_run "${pm[@]}" container checkpoint e2e-cr
	if [ "$rc" -eq 0 ] && status_is e2e-cr exited; then
		ok "podman container checkpoint stops the container through the runtime"
	else
		not_ok "podman container checkpoint stops the container through the runtime" \
			"exit $rc, status '$(status_of e2e-cr)', output:" "$out"
	fi
	at=$(last_logged)
	t_run "${pm[@]}" container restore e2e-cr
	if [ "$rc" -eq 0 ] && status_is e2e-cr running && wait_until 5 logged_more_than "${at:-0}" &&
		client logs e2e-cr | awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1 } END { exit bad }'; then
		ok "podman container restore goes on counting where the checkpoint stopped"
	else
		not_ok "podman container restore goes on counting where the checkpoint stopped" \
			"exit $rc, status '$(status_of e2e-cr)', at checkpoint '$at', now '$(last_logged)', output:" "$out"
	fi
	t_run "${pm[@]}" rm -f -t 0 e2e-cr
	expect "a restored container is removed like any other" 0
else
	skip "podman container checkpoint stops the container through the runtime" "$cr_skip"
	skip "podman container restore goes on counting where the checkpoint stopped" "$cr_skip"
fi

wait_until 5 no_cgroups_left
if no_cgroups_left; then
	ok "a failed create, like the runs before it, leaves no cgroup behind"
else
	not_ok "a failed create, like the runs before it, leaves no cgroup behind" \
		"cgroups left below /$cgroup_parent: $(e2e_child_cgroups "$cgroup_parent" conmon | tr '\n' ' ')"
fi

# The process settings podman puts in config.json reach the process.
mkdir -p "$E2E_DIR/share"
echo "from the host" >"$E2E_DIR/share/file"
t_run "${pm[@]}" run --rm "${run_opts[@]}" -e E2E_VAR=set-by-client -w /tmp -u 65534:65534 \
	--hostname e2e-host -v "$E2E_DIR/share:/share:ro" "$image" \
	sh -c 'echo "$E2E_VAR $(pwd) $(id -u):$(id -g) $(hostname) $(cat /share/file)"'
expect "run applies env, workdir, user, hostname and a bind mount" 0 \
	"set-by-client /tmp 65534:65534 e2e-host from the host"

# default_ulimits in our containers.conf: soft and hard NOFILE 20000.
t_run "${pm[@]}" run --rm "${run_opts[@]}" "$image" sh -c 'echo "$(ulimit -Sn) $(ulimit -Hn)"'
expect "run applies the configured NOFILE limit" 0 "20000 20000"

t_run "${pm[@]}" run --rm "${run_opts[@]}" --read-only "$image" \
	sh -c 'touch /new 2>/dev/null && echo writable || echo read-only'
expect "run --read-only makes the rootfs read-only" 0 "read-only"

# A terminal: the runtime hands the pty master to conmon over the console
# socket.
t_run "${pm[@]}" run --rm -t "${run_opts[@]}" "$image" sh -c 'test -t 0 && test -t 1 && echo on-a-tty'
out=$(tr -d '\r' <<<"$out")
expect "run -t gives the process a terminal" 0 "on-a-tty"

# A long-running container for exec, pause and stop. sleep as PID 1 of its
# pid namespace has no TERM handler, so TERM does not stop it.
t_run "${pm[@]}" run -d --name e2e-long "${run_opts[@]}" --memory 64m "$image" sleep 1000
long_id=$out
if [ "$rc" -eq 0 ] && status_is e2e-long running; then
	ok "run -d leaves the container running"
else
	not_ok "run -d leaves the container running" "exit $rc, status '$(status_of e2e-long)', output:" "$out"
fi

pid=$(client inspect -f '{{.State.Pid}}' e2e-long 2>/dev/null)
# podman passes no --root: the runtime's default root holds the state.
expect_state_running "$long_id" "$pid"
expect_memory_limit "$pid" 67108864

t_run "${pm[@]}" exec e2e-long sh -c 'echo from exec; cat /proc/1/cmdline | tr "\0" " "'
expect "exec runs a command in the running container" 0 "from exec
sleep 1000 "

t_run "${pm[@]}" exec e2e-long sh -c 'exit 4'
expect "exec returns the command's exit code" 4

t_run "${pm[@]}" exec -t e2e-long sh -c 'test -t 0 && test -t 1 && echo on-a-tty'
out=$(tr -d '\r' <<<"$out")
expect "exec -t gives the process a terminal" 0 "on-a-tty"

t_run "${pm[@]}" pause e2e-long
if [ "$rc" -eq 0 ] && status_is e2e-long paused && e2e_frozen "$pid"; then
	ok "pause shows the container paused and freezes it"
else
	not_ok "pause shows the container paused and freezes it" "exit $rc, status '$(status_of e2e-long)', output:" "$out"
fi

t_run "${pm[@]}" unpause e2e-long
if [ "$rc" -eq 0 ] && status_is e2e-long running && ! e2e_frozen "$pid"; then
	ok "unpause shows the container running again and thaws it"
else
	not_ok "unpause shows the container running again and thaws it" "exit $rc, status '$(status_of e2e-long)', output:" "$out"
fi

t_run "${pm[@]}" exec e2e-long echo after unpause
expect "exec works after unpause" 0 "after unpause"

# stop: TERM first, KILL once the timeout has passed.
t_run "${pm[@]}" run -d --name e2e-term "${run_opts[@]}" "$image" \
	sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
expect_stop "stop ends a container that handles TERM without waiting for the timeout" \
	e2e-term 20 0 0 9
expect_stop "stop -t 2 kills a container that ignores TERM after the timeout" \
	e2e-long 2 137 2 15

# Remove: podman's record and the runtime's state both go.
t_run "${pm[@]}" rm e2e-long e2e-term
if [ "$rc" -eq 0 ] && [ -z "$(client ps -a -q)" ] &&
	! timeout 20 "$RUNTIME" state "$long_id" >/dev/null 2>&1; then
	ok "rm removes the containers and the runtime's state"
else
	not_ok "rm removes the containers and the runtime's state" "exit $rc, left: $(client ps -a -q)" "$out"
fi

wait_until 5 no_cgroups_left
if no_cgroups_left; then
	ok "the runtime left no cgroups behind"
else
	not_ok "the runtime left no cgroups behind" \
		"cgroups left below /$cgroup_parent: $(e2e_child_cgroups "$cgroup_parent" conmon | tr '\n' ' ')"
fi

t_run "${pm[@]}" rmi "$image"
expect "the image is removed" 0

tap_finish
