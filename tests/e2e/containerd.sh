#!/bin/bash
# containerd 1.6 driving $RUNTIME through its runc v2 shim (TAP output).
#
# A private containerd (own root, state, socket under one temp dir), the
# busybox image imported from a local archive, then the container life
# cycle as containerd's own CLI drives it: run, exec, pause/resume, stop
# with TERM then KILL, delete, exit codes. containerd's CLI is also named
# ctr, so it is always called by its absolute path.
set -u -o pipefail
# shellcheck source=tests/e2e/e2e-lib
. "$(dirname "$0")/e2e-lib"

CTR=/usr/bin/ctr
e2e_require /usr/bin/containerd "$CTR" containerd-shim-runc-v2

E2E_DIR=$(mktemp -d /tmp/ctr-e2e-containerd.XXXXXX)
# The namespace keeps our containers apart from anyone else's; containerd
# also names the default cgroup path after it (/<namespace>/<id>).
ns=ctr-e2e-$$
sock=$E2E_DIR/containerd/containerd.sock
runtime_root=$E2E_DIR/runc
image=localhost/ctr-e2e-busybox:latest
daemon_pid=

ctrd=("$CTR" -a "$sock" -n "$ns")
# Direct client calls are bounded too; t_run bounds its own.
client() { timeout -k 5 "$E2E_TIMEOUT" "${ctrd[@]}" "$@"; }
# Every container runs on $RUNTIME with its state below our directory, and
# ctr's stdio fifos go there too (not to /run/containerd/fifo).
run_base=(--runc-binary "$RUNTIME" --runc-root "$runtime_root" --fifo-dir "$E2E_DIR/fifo")
run_opts=("${run_base[@]}" --null-io)
exec_opts=(--fifo-dir "$E2E_DIR/fifo")

cleanup() {
	local id
	# The shim's and the runtime's errors end up in containerd's log.
	if [ "$t_failed" -gt 0 ] && [ -s "$E2E_DIR/containerd.log" ]; then
		diag "containerd's last warnings and errors:" "$(grep -E 'level=(warning|error)' "$E2E_DIR/containerd.log" |
			grep -vE 'copy shim log|shim disconnected' | tail -n 15)"
	fi
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		for id in $(client containers ls -q 2>/dev/null); do
			client tasks kill -s KILL "$id" >/dev/null 2>&1
			client tasks rm -f "$id" >/dev/null 2>&1
			client containers rm "$id" >/dev/null 2>&1
		done
		kill -TERM "$daemon_pid"
		wait_until 10 eval '! kill -0 "$daemon_pid" 2>/dev/null' || kill -KILL "$daemon_pid"
		wait "$daemon_pid" 2>/dev/null
	fi
	e2e_kill_leftover_processes
	# Whatever the shim did not delete: the runtime itself takes it down.
	for id in "$runtime_root/$ns"/*; do
		[ -e "$id" ] || continue
		diag "deleting leftover container ${id##*/}"
		timeout 20 "$RUNTIME" --root "$runtime_root/$ns" delete --force "${id##*/}" >/dev/null 2>&1
	done
	e2e_rmdir_cgroups "$ns"
	e2e_remove_dir
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# TASK's status as `ctr task ls` shows it (RUNNING, PAUSED, STOPPED...).
task_status() { client tasks ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'; }
task_is() { [ "$(task_status "$1")" = "$2" ]; }

start_daemon() {
	e2e_fill "$E2E_SRCDIR/containerd-config.toml.in" "$E2E_DIR/containerd.toml"
	/usr/bin/containerd --config "$E2E_DIR/containerd.toml" >"$E2E_DIR/containerd.log" 2>&1 &
	daemon_pid=$!
	if ! wait_until 20 eval 'timeout 5 "$CTR" -a "$sock" version >/dev/null 2>&1'; then
		diag "containerd did not come up:" "$(tail -n 20 "$E2E_DIR/containerd.log")"
		bail_out "containerd did not start"
	fi
}

start_daemon
ok "containerd starts with a private root and socket"

t_run "$E2E_SRCDIR/build-image" "$E2E_DIR/busybox.tar" "$image"
[ "$rc" -eq 0 ] || bail_out "cannot build the busybox image: $out"
t_run "${ctrd[@]}" images import "$E2E_DIR/busybox.tar"
expect "the busybox image imports" 0
[ "$rc" -eq 0 ] || bail_out "no image to run"

# run: output and exit codes come back through the shim.
t_run "${ctrd[@]}" run --rm "${run_base[@]}" "$image" e2e-echo echo hello from the container
expect "run prints the command's output" 0 "hello from the container"

t_run "${ctrd[@]}" run --rm "${run_base[@]}" "$image" e2e-exit sh -c 'exit 3'
expect "run returns the command's exit code" 3

t_run "${ctrd[@]}" run --rm "${run_base[@]}" "$image" e2e-stdin sh -c 'read -r line; echo "got $line"' <<<"piped in"
expect "run passes stdin through to the process" 0 "got piped in"

t_run "${ctrd[@]}" run --rm "${run_base[@]}" "$image" e2e-noexec /no/such/binary
expect_failure "run of a missing binary fails with the runtime's error" 'no such file'

# containerd follows a failed create with delete --force: nothing of it,
# nor of the runs before it, may stay behind.
no_cgroups_left() { [ -z "$(e2e_child_cgroups "$ns")" ]; }
wait_until 5 no_cgroups_left
t_run "$RUNTIME" --root "$runtime_root/$ns" state e2e-noexec
if [ "$rc" -ne 0 ] && no_cgroups_left; then
	ok "a failed create, like the runs before it, leaves no state or cgroup behind"
else
	not_ok "a failed create, like the runs before it, leaves no state or cgroup behind" \
		"cgroups left below /$ns: $(e2e_child_cgroups "$ns" | tr '\n' ' ')" "state e2e-noexec: exit $rc: $out"
fi

# The process settings a client puts in config.json reach the process.
mkdir -p "$E2E_DIR/share"
echo "from the host" >"$E2E_DIR/share/file"
t_run "${ctrd[@]}" run --rm "${run_base[@]}" --env E2E_VAR=set-by-client --cwd /tmp \
	--mount "type=bind,src=$E2E_DIR/share,dst=/share,options=rbind:ro" "$image" e2e-settings \
	sh -c 'echo "$E2E_VAR $(pwd) $(cat /share/file)"; touch /share/new 2>/dev/null && echo bind mount writable; exit 0'
expect "run applies env, cwd and a read-only bind mount" 0 "set-by-client /tmp from the host"

t_run "${ctrd[@]}" run --rm "${run_base[@]}" --read-only "$image" e2e-ro \
	sh -c 'touch /new 2>/dev/null && echo writable || echo read-only'
expect "run --read-only makes the rootfs read-only" 0 "read-only"

# A terminal: the runtime hands the pty master to the shim over the console
# socket. ctr wants a terminal of its own for -t, so script(1) gives it one.
if command -v script >/dev/null; then
	t_run script -qec "$(printf '%q ' "$CTR" -a "$sock" -n "$ns" run --rm -t \
		"${run_base[@]}" "$image" e2e-tty \
		sh -c 'test -t 0 && test -t 1 && echo on-a-tty')" /dev/null
	# The pty echoes what ctr forwards from its stdin (a NUL shows as ^@).
	out=$(tr -d "\r" <<<"$out" | sed "s/^\^@//")
	expect "run -t gives the process a terminal" 0 "on-a-tty"
else
	skip "run -t gives the process a terminal" "script(1) is not installed"
fi

# A long-running container for exec, ps, pause and stop. sleep as PID 1 of
# its pid namespace has no TERM handler, so TERM does not stop it.
t_run "${ctrd[@]}" run -d "${run_opts[@]}" --memory-limit 67108864 "$image" e2e-long sleep 1000
if [ "$rc" -eq 0 ] && wait_until 10 task_is e2e-long RUNNING; then
	ok "run -d leaves the task running"
else
	not_ok "run -d leaves the task running" "exit $rc, status '$(task_status e2e-long)', output:" "$out"
fi

pid=$(client tasks ls 2>/dev/null | awk '$1 == "e2e-long" { print $2 }')
expect_state_running e2e-long "$pid" --root "$runtime_root/$ns"
expect_memory_limit "$pid" 67108864

t_run "${ctrd[@]}" tasks ps e2e-long
if [ "$rc" -eq 0 ] && [ -n "$pid" ] && awk 'NR > 1 { print $1 }' <<<"$out" | grep -qx "$pid"; then
	ok "task ps lists the container's init process"
else
	not_ok "task ps lists the container's init process" "init pid '$pid', exit $rc, output:" "$out"
fi

t_run "${ctrd[@]}" tasks exec "${exec_opts[@]}" --exec-id e1 e2e-long sh -c 'echo from exec; cat /proc/1/cmdline | tr "\0" " "'
expect "exec runs a command in the running container" 0 "from exec
sleep 1000 "

t_run "${ctrd[@]}" tasks exec "${exec_opts[@]}" --exec-id e2 e2e-long sh -c 'exit 4'
expect "exec returns the command's exit code" 4

t_run "${ctrd[@]}" tasks pause e2e-long
if [ "$rc" -eq 0 ] && task_is e2e-long PAUSED && e2e_frozen "$pid"; then
	ok "pause shows the task paused and freezes it"
else
	not_ok "pause shows the task paused and freezes it" "exit $rc, status '$(task_status e2e-long)', output:" "$out"
fi

t_run "${ctrd[@]}" tasks resume e2e-long
if [ "$rc" -eq 0 ] && task_is e2e-long RUNNING && ! e2e_frozen "$pid"; then
	ok "resume shows the task running again and thaws it"
else
	not_ok "resume shows the task running again and thaws it" "exit $rc, status '$(task_status e2e-long)', output:" "$out"
fi

t_run "${ctrd[@]}" tasks exec "${exec_opts[@]}" --exec-id e3 e2e-long echo after resume
expect "exec works after resume" 0 "after resume"

# Stop, the way an orchestrator does: TERM first, KILL after a timeout.
t_run "${ctrd[@]}" run -d "${run_opts[@]}" "$image" e2e-term \
	sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
wait_until 10 task_is e2e-term RUNNING
t_run "${ctrd[@]}" tasks kill e2e-term
if [ "$rc" -eq 0 ] && wait_until 10 task_is e2e-term STOPPED; then
	ok "kill with TERM stops a task that handles TERM"
else
	not_ok "kill with TERM stops a task that handles TERM" "exit $rc, status '$(task_status e2e-term)', output:" "$out"
fi

t_run "${ctrd[@]}" tasks kill e2e-long
sleep 2
if [ "$rc" -eq 0 ] && task_is e2e-long RUNNING; then
	ok "kill with TERM leaves a task that ignores TERM running"
else
	not_ok "kill with TERM leaves a task that ignores TERM running" "exit $rc, status '$(task_status e2e-long)', output:" "$out"
fi

t_run "${ctrd[@]}" tasks kill --signal KILL e2e-long
if [ "$rc" -eq 0 ] && wait_until 10 task_is e2e-long STOPPED; then
	ok "kill with KILL stops it"
else
	not_ok "kill with KILL stops it" "exit $rc, status '$(task_status e2e-long)', output:" "$out"
fi

# kill --all reaches every process of the container, not only its init.
t_run "${ctrd[@]}" run -d "${run_opts[@]}" "$image" e2e-all sh -c 'sleep 1000 & sleep 1000'
wait_until 10 task_is e2e-all RUNNING
t_run "${ctrd[@]}" tasks kill --all --signal KILL e2e-all
if [ "$rc" -eq 0 ] && wait_until 10 task_is e2e-all STOPPED; then
	ok "kill --all with KILL stops a task with several processes"
else
	not_ok "kill --all with KILL stops a task with several processes" "exit $rc, status '$(task_status e2e-all)', output:" "$out"
fi

# Delete: containerd's records and the runtime's state both go.
for id in e2e-long e2e-term e2e-all; do
	t_run "${ctrd[@]}" tasks rm "$id"
	r1=$rc o1=$out
	t_run "${ctrd[@]}" containers rm "$id"
	if [ "$r1" -eq 0 ] && [ "$rc" -eq 0 ] && ! client containers ls -q | grep -qx "$id" &&
		! timeout 20 "$RUNTIME" --root "$runtime_root/$ns" state "$id" >/dev/null 2>&1; then
		ok "task rm and container rm remove $id"
	else
		not_ok "task rm and container rm remove $id" "task rm: exit $r1: $o1" "container rm: exit $rc: $out"
	fi
done

wait_until 5 no_cgroups_left
state_left=$(ls -A "$runtime_root/$ns" 2>/dev/null)
if no_cgroups_left && [ -z "$state_left" ]; then
	ok "the runtime left no cgroups and no state behind"
else
	not_ok "the runtime left no cgroups and no state behind" \
		"cgroups left below /$ns: $(e2e_child_cgroups "$ns" | tr '\n' ' ')" "state left: $state_left"
fi

t_run "${ctrd[@]}" images rm "$image"
expect "the image is removed" 0

tap_finish
