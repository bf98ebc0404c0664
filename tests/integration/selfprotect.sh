#!/bin/bash
# Self-protection: a process that enters a container runs a sealed copy of
# the runtime, not the binary on disk, and cannot be inspected from inside
# the container until it execs.
. "$(dirname "$0")/../lib.sh"

test_created_init_runs_from_a_sealed_copy_not_the_runtime_binary()
{
	ctr_only "the sealed copy is named by ctr's memfd"
	local pid exe
	mkbundle sleep 100
	rt create --bundle "$B" "$ID"
	expect_rc 0
	pid=$(state_of "$ID" pid)
	exe=$(readlink "/proc/$pid/exe")
	case $exe in
	/memfd:ctr-sealed*) ;;
	*) fail "init's executable is $exe, not the sealed copy" ;;
	esac
	# The copy is write-sealed: nothing can change the image it runs.
	if (echo x >"/proc/$pid/exe") 2>/dev/null; then
		fail "the init's executable could be opened for writing"
	fi
}

test_runtime_binary_is_unchanged_after_a_container_ran()
{
	local before after
	before=$(sha256sum <"$RUNTIME")
	mkbundle sh -c 'echo x > /proc/self/exe 2>/dev/null; exit 0'
	rt run --bundle "$B" "$ID"
	expect_rc 0
	after=$(sha256sum <"$RUNTIME")
	[ "$before" = "$after" ] || fail "the runtime binary changed"
}

test_exec_into_created_container_cannot_reach_the_init_image()
{
	# The init waits for start in the runtime's image; a root process in the
	# container (without CAP_SYS_PTRACE, as by default) must not be able to
	# follow /proc/1/exe to it.
	ctr_only "runc 1.1 leaves its waiting init dumpable (it relies on the sealed copy alone)"
	mkbundle sleep 100
	rt create --bundle "$B" "$ID"
	expect_rc 0
	rt exec "$ID" readlink /proc/1/exe
	[ "$RC" -ne 0 ] || fail "exec read /proc/1/exe of the waiting init: $(out)"
}

run_tests
