#!/bin/bash
# Hooks: run on the host with the container's state on stdin; a failing
# createRuntime hook aborts create and leaves nothing behind.
. "$(dirname "$0")/../lib.sh"

# A hook that saves its stdin (the state JSON) to $1.
save_state_hook()
{
	jq -n --arg f "$1" '{path: "/bin/sh", args: ["sh", "-c", "cat > \"$0\"", $f]}'
}

hook_gets_state()
{
	local kind=$1 hook
	mkbundle sleep 100
	hook=$(save_state_hook "$T/hook.json")
	cfg ".hooks.$kind = [\$h]" --argjson h "$hook"
	rt create --bundle "$B" --pid-file "$T/pid" "$ID"
	expect_rc 0
	[ -s "$T/hook.json" ] || fail "$kind hook did not run (or got no stdin)"
	jq -e . "$T/hook.json" >/dev/null || fail "hook stdin is not JSON: $(cat "$T/hook.json")"
	[ "$(jq -r .id "$T/hook.json")" = "$ID" ] || fail "hook state id is not $ID: $(cat "$T/hook.json")"
	[ "$(jq -r .pid "$T/hook.json")" = "$(cat "$T/pid")" ] ||
		fail "hook state pid is not $(cat "$T/pid"): $(cat "$T/hook.json")"
	[ "$(jq -r .bundle "$T/hook.json")" = "$B" ] || fail "hook state bundle is not $B"
}

test_prestart_hook_receives_state_with_id_and_pid()
{
	hook_gets_state prestart
}

test_create_runtime_hook_receives_state_with_id_and_pid()
{
	hook_gets_state createRuntime
}

test_create_container_hook_runs_before_start()
{
	mkbundle sleep 100
	cfg '.hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", "echo ran > \"$0\"", $f]}]' \
		--arg f "$T/ran"
	rt create --bundle "$B" "$ID"
	expect_rc 0
	[ -e "$T/ran" ] || fail "createContainer hook did not run at create"
}

test_start_container_hook_runs_inside_the_container_at_start()
{
	# Its path resolves in the container, and it runs after `start`, before
	# the process: the file lands in the container's own /tmp.
	mkbundle sleep 100
	cfg '.hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "cat > /tmp/started.json"]}]'
	rt create --bundle "$B" "$ID"
	expect_rc 0
	[ ! -e "$B/rootfs/tmp/started.json" ] || fail "startContainer hook ran at create"
	rt start "$ID"
	expect_rc 0
	wait_until 5 test -s "$B/rootfs/tmp/started.json" ||
		fail "startContainer hook did not run inside the container"
	[ "$(jq -r .id "$B/rootfs/tmp/started.json")" = "$ID" ] ||
		fail "startContainer hook got: $(cat "$B/rootfs/tmp/started.json")"
}

poststart_bundle()
{
	mkbundle sleep 100
	cfg '.hooks.poststart = [{path: "/bin/sh", args: ["sh", "-c", "cat > \"$0\"", $f]}]' \
		--arg f "$T/poststart.json"
}

test_poststart_hook_receives_state_after_start()
{
	poststart_bundle
	rt create --bundle "$B" "$ID"
	expect_rc 0
	rt start "$ID"
	expect_rc 0
	wait_until 5 test -s "$T/poststart.json" || fail "poststart hook did not run"
	[ "$(jq -r .id "$T/poststart.json")" = "$ID" ] || fail "poststart state has the wrong id"
}

test_poststart_hook_does_not_run_at_create()
{
	ctr_only "runc 1.1.5 runs poststart hooks at create already"
	poststart_bundle
	rt create --bundle "$B" "$ID"
	expect_rc 0
	[ ! -e "$T/poststart.json" ] || fail "poststart hook ran before start"
}

test_poststop_hook_runs_at_delete()
{
	mkbundle true
	cfg '.hooks.poststop = [{path: "/bin/sh", args: ["sh", "-c", "cat > \"$0\"", $f]}]' \
		--arg f "$T/poststop.json"
	rt run --bundle "$B" "$ID"
	expect_rc 0
	rt delete "$ID"
	wait_until 5 test -s "$T/poststop.json" || fail "poststop hook did not run"
	[ "$(jq -r .id "$T/poststop.json")" = "$ID" ] || fail "poststop state has the wrong id"
}

test_failing_create_runtime_hook_fails_create_and_leaves_nothing()
{
	mkbundle sleep 100
	cfg '.hooks.createRuntime = [{path: "/bin/false", args: ["false"]}]'
	rt create --bundle "$B" --pid-file "$T/pid" "$ID"
	[ "$RC" != 0 ] || fail "create succeeded although its createRuntime hook failed"
	[ -z "$(ls -A "$ROOT")" ] || fail "state left: $(ls -A "$ROOT")"
	wait_until 5 eval '[ -z "$(procs_in "$B")" ]' || fail "container processes left: $(procs_in "$B")"
	expect_nothing_left "$ID"
}

# An init that dies during setup without a word (here killed by the hook
# while it waits for the hooks) is reported with how it ended.
test_init_killed_during_setup_is_reported_with_its_signal()
{
	ctr_only "runc words this its own way"
	mkbundle sleep 100
	cfg '.hooks.createRuntime = [{path: "/bin/sh",
		args: ["sh", "-c", "kill -KILL $(jq -r .pid)"]}]'
	rt create --bundle "$B" "$ID"
	[ "$RC" != 0 ] || fail "create succeeded although its init was killed"
	expect_err_has "exited during setup (killed by signal 9, Killed)"
	expect_nothing_left "$ID"
}

test_hook_environment_comes_from_the_hook_entry()
{
	mkbundle sleep 100
	cfg '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "echo \"$CTR_TEST_HOOK\" > \"$0\"", $f],
		env: ["CTR_TEST_HOOK=from-config"]}]' --arg f "$T/env"
	rt create --bundle "$B" "$ID"
	expect_rc 0
	[ "$(cat "$T/env")" = from-config ] || fail "hook env: '$(cat "$T/env")'"
}

run_tests
