#!/bin/bash
# Terminals: with process.terminal the runtime allocates a pty in the
# container's devpts and hands its master to --console-socket (SCM_RIGHTS).
. "$(dirname "$0")/../lib.sh"

# Start the receiver; it copies what the container writes to $T/tty.out.
receiver()
{
	local bin
	bin=$(helper recvtty)
	"$bin" "$T/console.sock" "$T/tty.out" &
	RECV=$!
	bg_track "$RECV"
	wait_until 5 test -S "$T/console.sock" || fail "recvtty did not listen"
}

# The receiver ends when the last slave closes; its output is then whole.
# Sets GOT (not a $(...): the receiver is this shell's child).
received()
{
	wait_until 10 eval '! kill -0 $RECV 2>/dev/null' || fail "pty never hung up"
	wait $RECV || fail "recvtty failed"
	GOT=$(tr -d '\r' <"$T/tty.out")
}

test_terminal_process_gets_a_pty_through_the_console_socket()
{
	receiver
	mkbundle sh -c 'tty; echo done'
	cfg '.process.terminal = true'
	rt create --bundle "$B" --console-socket "$T/console.sock" "$ID"
	expect_rc 0
	rt start "$ID"
	expect_rc 0
	received
	grep -q '^/dev/pts/[0-9]' <<<"$GOT" || fail "tty inside printed: $GOT"
	grep -q '^done$' <<<"$GOT" || fail "output incomplete: $GOT"
}

test_terminal_process_has_a_tty_on_stdin()
{
	receiver
	mkbundle sh -c '[ -t 0 ] && [ -t 1 ] && echo stdio-is-tty'
	cfg '.process.terminal = true'
	rt create --bundle "$B" --console-socket "$T/console.sock" "$ID"
	expect_rc 0
	rt start "$ID"
	expect_rc 0
	received
	grep -q stdio-is-tty <<<"$GOT" || fail "stdin/stdout are not the terminal"
}

test_create_with_terminal_but_no_console_socket_fails_and_leaves_nothing()
{
	mkbundle tty
	cfg '.process.terminal = true'
	rt create --bundle "$B" "$ID"
	expect_rc 1
	rt delete --force "$ID"
	expect_nothing_left "$ID"
}

test_exec_with_tty_sends_its_pty_to_the_console_socket()
{
	mkbundle sleep 100
	rt run -d --bundle "$B" "$ID"
	expect_rc 0
	receiver
	rt exec -d -t --console-socket "$T/console.sock" --pid-file "$T/epid" "$ID" sh -c 'tty; echo done'
	expect_rc 0
	received
	grep -q '^/dev/pts/[0-9]' <<<"$GOT" || fail "tty inside printed: $GOT"
}

test_foreground_run_relays_its_own_terminal_and_window_size()
{
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	mkbundle sh -c 'tty; echo "size=$(stty size)"'
	cfg '.process.terminal = true'
	timeout 30 script -qec "stty rows 45 cols 123; $RUNTIME --root $ROOT run --bundle $B $ID" \
		/dev/null </dev/null >"$T/script.out" 2>&1 || fail "run failed: $(cat "$T/script.out")"
	tr -d '\r\0' <"$T/script.out" | sed 's/\^@//g' >"$T/clean"
	grep -q '^/dev/pts/' "$T/clean" || fail "no pty inside: $(cat "$T/clean")"
	grep -q '^size=45 123$' "$T/clean" || fail "window size not passed on: $(cat "$T/clean")"
}

run_tests
