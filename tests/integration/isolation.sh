#!/bin/bash
# Isolation: what a process inside the container sees of the host, and the
# hardening settings from config.json as the kernel reports them.
. "$(dirname "$0")/../lib.sh"

test_process_is_pid_1_in_its_own_pid_namespace()
{
	mkbundle sh -c 'echo $$'
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out 1
}

test_hostname_is_the_configured_one_and_host_keeps_its_own()
{
	local before
	before=$(hostname)
	mkbundle hostname
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out "$ID"
	[ "$(hostname)" = "$before" ] || fail "host hostname changed to $(hostname)"
}

test_network_namespace_has_only_loopback()
{
	mkbundle sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out lo
}

test_user_namespace_maps_root_to_the_configured_host_range()
{
	mkbundle sh -c 'cat /proc/self/uid_map; id -u; touch /tmp/ready; sleep 100'
	cfg '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	rt run -d --bundle "$B" --pid-file "$T/pid" "$ID"
	expect_rc 0
	wait_until 5 test -e "$B/rootfs/tmp/ready" || fail "container never became ready"
	[ "$(stat -c %u "/proc/$(cat "$T/pid")")" = 100000 ] ||
		fail "init runs as host uid $(stat -c %u "/proc/$(cat "$T/pid")"), not 100000"
	read -r inside outside size <"/proc/$(cat "$T/pid")/uid_map"
	[ "$inside $outside $size" = "0 100000 65536" ] || fail "uid_map is '$inside $outside $size'"
}

test_host_mount_is_invisible_inside()
{
	local marker=ctr-test-marker-$$
	mkdir "$T/hostmnt"
	host_mount -t tmpfs "$marker" "$T/hostmnt"
	grep -q "$marker" /proc/self/mountinfo || fail "host mount $marker not made"
	mkbundle cat /proc/self/mountinfo
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out_has " /proc "
	! grep -q "$marker" "$OUT" || fail "host tmpfs $marker visible in the container"
}

test_capabilities_are_exactly_the_configured_ones()
{
	mkbundle grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status
	cfg '.process.capabilities = {bounding: $c, effective: $c, permitted: $c,
		inheritable: [], ambient: []}' --argjson c '["CAP_NET_RAW", "CAP_CHOWN"]'
	rt run --bundle "$B" "$ID"
	expect_rc 0
	# CAP_CHOWN is bit 0, CAP_NET_RAW bit 13.
	expect_out_has "CapEff:	0000000000002001"
	expect_out_has "CapBnd:	0000000000002001"
	expect_out_has "CapPrm:	0000000000002001"
	expect_out_has "CapInh:	0000000000000000"
	expect_out_has "CapAmb:	0000000000000000"
}

test_no_new_privs_is_set_when_configured()
{
	mkbundle grep NoNewPrivs: /proc/self/status
	cfg '.process.noNewPrivileges = true'
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out "NoNewPrivs:	1"
}

test_no_new_privs_is_clear_when_not_configured()
{
	mkbundle grep NoNewPrivs: /proc/self/status
	cfg '.process.noNewPrivileges = false | del(.linux.seccomp)'
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out "NoNewPrivs:	0"
}

deny_mkdir_profile()
{
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
}

test_seccomp_profile_puts_process_in_filter_mode()
{
	mkbundle grep '^Seccomp:' /proc/self/status
	deny_mkdir_profile
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out "Seccomp:	2"
}

test_seccomp_profile_denies_mkdir_with_eperm_and_allows_the_rest()
{
	mkbundle sh -c 'mkdir /tmp/d 2>&1 && echo made; echo rest > /tmp/f && cat /tmp/f && ls -d /tmp'
	deny_mkdir_profile
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out_has "Operation not permitted"
	! grep -q made "$OUT" || fail "mkdir succeeded under a profile denying it"
	[ ! -e "$B/rootfs/tmp/d" ] || fail "directory was created"
	expect_out_has rest
	expect_out_has /tmp
}

# /proc/kcore when the kernel has it (this VM's has not), else timer_list.
test_masked_proc_file_reads_empty()
{
	local f=/proc/kcore
	[ -e $f ] || f=/proc/timer_list
	# proc files report size 0: read to see that the host's is not empty.
	[ "$(head -c 16 $f 2>/dev/null | wc -c)" -gt 0 ] || skip "host has neither /proc/kcore nor a readable $f"
	mkbundle sh -c "wc -c < $f"
	cfg '.linux.maskedPaths = [$f]' --arg f $f
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out 0
}

test_proc_sys_is_read_only()
{
	mkbundle sh -c 'awk '\''$5 == "/proc/sys" { print "opts=" $6 }'\'' /proc/self/mountinfo
		echo x > /proc/sys/kernel/hostname || echo write-failed'
	cfg '.linux.readonlyPaths = ["/proc/sys"]'
	rt run --bundle "$B" "$ID"
	expect_rc 0
	grep -Eq '^opts=ro(,|$)' "$OUT" || fail "/proc/sys is not mounted read-only"
	expect_out_has write-failed
}

test_read_only_root_rejects_writes()
{
	mkbundle sh -c 'touch /probe 2>&1 || echo write-failed; cat /proc/self/comm'
	cfg '.root.readonly = true'
	rt run --bundle "$B" "$ID"
	expect_rc 0
	expect_out_has write-failed
	expect_out_has cat
	[ ! -e "$B/rootfs/probe" ] || fail "file written to a read-only root"
	grep -q 'Read-only file system' "$OUT" || fail "touch did not fail with EROFS"
}

run_tests
