#!/bin/bash
# Networking of system containers (netns/, issue 5): a bridge of this file's
# own (ctrbrT<pid>, its own subnet), veths made inside the containers'
# namespaces, leases, NAT rules, macvlan, none and host. Traffic only
# between the host and namespaces the tests create; NAT is checked as rules,
# never used.
#
# Until the `ctr` verbs land, containers are started by the helper nettest
# (tests/integration/progs/nettest.c): it runs a native config exactly as
# `ctr start` will (net_prepare, the netns hook, net_write_files) with
# this file's run root, so lib.sh's cleanup (delete --force) covers them.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

BR=ctrbrT$(($$ % 100000))
# A /24 of 10.128.0.0/9 from the pid: parallel runs of this file do not share one.
NET_A=$((128 + $$ % 120))
NET_B=$((($$ / 120) % 250))
SUBNET=10.$NET_A.$NET_B
BRIDGE_IP=$SUBNET.1
MV_PARENT=ctrmvT$(($$ % 100000))
STORE=""

eval "lib_$(declare -f file_cleanup)"
file_cleanup()
{
	ip link del "$BR" 2>/dev/null
	ip link del "$MV_PARENT" 2>/dev/null
	nft delete table ip "ctr_$BR" 2>/dev/null
	lib_file_cleanup
}

nettest_bin()
{
	NETTEST=$BUILDDIR/tests/integration/progs/nettest
	[ -x "$NETTEST" ] || skip "nettest is not built (make check)"
	command -v nft >/dev/null || skip "nft is not installed (apt-get install nftables)"
	if [ -z "$STORE" ]; then
		STORE=$FILE_TMP/store
		# The container's root reads resolv.conf/hosts from below here.
		mkdir -p "$STORE/containers"
		chmod 711 "$FILE_TMP" "$STORE" "$STORE/containers"
	fi
}

# conf NAME [KEY = VALUE lines...]: a native config for container NAME on
# this file's bridge; the init comes from $INIT.
conf()
{
	local name=$1
	shift
	{
		echo "rootfs = $FILE_TMP/rootfs"
		echo "init = ${INIT:-/bin/true}"
		echo "idmap = ${IDMAP:-none}"
		if [ $# -eq 0 ]; then
			echo "net.0.type = veth"
			echo "net.0.link = $BR"
			echo "net.0.bridge.ipv4 = $BRIDGE_IP/24"
		fi
		printf '%s\n' "$@"
	} >"$T/$name.conf"
}

# nt ARGS...: run nettest; results in RC/OUT/ERR like rt.
# shellcheck disable=SC2034 # RC/OUT/ERR are what lib.sh's expect_* read
nt()
{
	local n
	n=$(next_n)
	OUT=$T/nt$n.out
	ERR=$T/nt$n.err
	LAST_CMD="nettest $*"
	echo "$LAST_CMD" >>"$T/commands"
	RC=0
	timeout --foreground -k 5 "$RT_TIMEOUT" "$NETTEST" "$@" </dev/null >"$OUT" 2>"$ERR" || RC=$?
	return 0
}

# start NAME [detach]: run container NAME from $T/NAME.conf.
start()
{
	nt run "$STORE" "$ROOT" "$1" "$T/$1.conf" "$FILE_TMP/rootfs" ${2:+"$2"}
}

lease_of() # NAME -> its address on $BR
{
	awk -v n="$1" '$2 == n && $3 == 0 { print $1 }' "$STORE/net/$BR.leases" 2>/dev/null
}

# destroy NAME: what `ctr destroy` does for the network.
destroy()
{
	nt release "$STORE" "$1"
	expect_rc 0
	rm -rf "${STORE:?}/containers/$1"
}

host_veth_gone()
{
	! ip link show "$(nt vethname "$STORE" "$1" 0 >/dev/null; cat "$OUT")" >/dev/null 2>&1
}

test_two_containers_reach_each_other_and_the_host()
{
	nettest_bin
	INIT="/bin/sh -c 'while :; do nc -l -p 7000 -e /bin/cat; done'" conf echo
	start echo detach
	expect_rc 0
	local a
	a=$(lease_of echo)
	[ -n "$a" ] || fail "no lease for echo in $STORE/net/$BR.leases"
	busybox ping -c1 -W2 "$a" >/dev/null || fail "the host cannot ping echo at $a"
	INIT="/bin/sh -c 'ping -c1 -W2 $a >/dev/null && ping -c1 -W2 $BRIDGE_IP >/dev/null && echo hello | nc -w 2 $a 7000'" \
		conf client
	start client
	expect_rc 0
	expect_out hello
	destroy client
	destroy echo
}

test_twenty_parallel_starts_get_distinct_addresses()
{
	nettest_bin
	local i pids=() addrs
	INIT="/bin/sh -c 'ip -4 addr show eth0'" conf par
	for i in $(seq 1 20); do
		"$NETTEST" run "$STORE" "$ROOT" "par$i" "$T/par.conf" "$FILE_TMP/rootfs" \
			</dev/null >"$T/par$i.out" 2>"$T/par$i.err" &
		pids+=($!)
	done
	for i in $(seq 1 20); do
		wait "${pids[$((i - 1))]}" || fail "par$i: $(cat "$T/par$i.err")"
		grep -q "inet $(lease_of "par$i")/24" "$T/par$i.out" ||
			fail "par$i has not its leased address $(lease_of "par$i"): $(cat "$T/par$i.out")"
	done
	addrs=$(for i in $(seq 1 20); do lease_of "par$i"; done)
	[ "$(echo "$addrs" | sort -u | grep -c .)" = 20 ] || fail "addresses not distinct: $addrs"
	for i in $(seq 1 20); do destroy "par$i"; done
}

test_a_container_keeps_its_address_across_restarts()
{
	nettest_bin
	local first
	INIT="/bin/sh -c 'ip -4 addr show eth0'" conf keep
	INIT="/bin/sh -c 'ip -4 addr show eth0'" conf other
	start keep
	expect_rc 0
	first=$(lease_of keep)
	start other
	expect_rc 0
	start keep
	expect_rc 0
	expect_out_has "inet $first/24"
	[ "$(lease_of keep)" = "$first" ] || fail "lease moved from $first to $(lease_of keep)"
	destroy keep
	destroy other
}

test_a_static_address_is_honoured_and_reserved()
{
	nettest_bin
	INIT="/bin/sh -c 'ip -4 addr show eth0; ip route'" conf fixed "net.0.type = veth" \
		"net.0.link = $BR" "net.0.bridge.ipv4 = $BRIDGE_IP/24" "net.0.ipv4 = $SUBNET.50/24"
	start fixed
	expect_rc 0
	expect_out_has "inet $SUBNET.50/24"
	expect_out_has "default via $BRIDGE_IP"
	grep -q "^$SUBNET.50 fixed 0 static" "$STORE/net/$BR.leases" || fail "no static lease"
	cp "$T/fixed.conf" "$T/thief.conf"
	start thief
	expect_rc 1
	expect_err_has "$SUBNET.50 is in use by container fixed (net.0)"
	destroy thief
	destroy fixed
}

test_macvlan_none_and_host_modes()
{
	nettest_bin
	ip link add "$MV_PARENT" type veth peer name "${MV_PARENT}p" || fail "cannot make a parent device"
	ip link set "$MV_PARENT" up
	INIT="/bin/sh -c 'ip addr; ip link'" conf mv "net.0.type = macvlan" "net.0.link = $MV_PARENT" \
		"net.0.ipv4 = 10.$NET_A.$((NET_B + 1)).7/24" "net.0.mtu = 1400" "net.0.hwaddr = 02:00:00:aa:bb:cc"
	start mv
	expect_rc 0
	expect_out_has "inet 10.$NET_A.$((NET_B + 1)).7/24"
	expect_out_has "mtu 1400"
	expect_out_has "02:00:00:aa:bb:cc"
	INIT="/bin/sh -c 'ip link; readlink /proc/self/ns/net'" conf lonely "net.0.type = none"
	start lonely
	expect_rc 0
	[ "$(grep -c '^[0-9]*:' "$OUT")" = 1 ] || fail "none has more than lo: $(cat "$OUT")"
	expect_out_has "LOOPBACK,UP"
	INIT="/bin/sh -c 'readlink /proc/self/ns/net'" conf shared "net.0.type = host"
	start shared
	expect_rc 0
	expect_out "$(readlink /proc/self/ns/net)"
	ip link del "$MV_PARENT"
	for n in mv lonely shared; do destroy $n; done
}

test_bad_values_are_rejected_before_anything_is_made()
{
	nettest_bin
	local bad
	while IFS='|' read -r bad msg; do
		conf bad "net.0.type = veth" "$bad"
		start bad
		expect_rc 1
		expect_err_has "bad/config:5: $msg"
	done <<-EOF
		net.0.ipv4 = 10.0.3.300/24|net.0.ipv4: invalid address '10.0.3.300'
		net.0.link = ctrbrT0123456789|net.0.link: interface name 'ctrbrT0123456789' is longer than 15 characters
		net.0.ipv4 = 10.0.3.0/24|net.0.ipv4: '10.0.3.0/24' is the network or broadcast address of its subnet
	EOF
	conf bad "net.0.type = vxlan"
	start bad
	expect_rc 1
	expect_err_has "bad/config:4: net.0.type: expected veth, macvlan, none, host or netns, not 'vxlan'"
	[ -z "$(lease_of bad)" ] || fail "a rejected config took a lease"
	! ip link show ctrbrT0123456789 >/dev/null 2>&1 || fail "a rejected bridge was made"
	destroy bad
}

test_nat_rules_exist_and_go_with_the_last_container()
{
	nettest_bin
	conf nat1 "net.0.type = veth" "net.0.link = $BR" "net.0.bridge.ipv4 = $BRIDGE_IP/24" \
		"net.0.bridge.nat = true"
	cp "$T/nat1.conf" "$T/nat2.conf"
	start nat1
	expect_rc 0
	start nat2
	expect_rc 0
	nft list table ip "ctr_$BR" >"$T/rules" 2>&1 || fail "no table ctr_$BR: $(cat "$T/rules")"
	grep -q "ip saddr $SUBNET.0/24 ip daddr != $SUBNET.0/24 masquerade" "$T/rules" ||
		fail "no masquerade rule: $(cat "$T/rules")"
	[ "$(cat "/proc/sys/net/ipv4/conf/$BR/forwarding")" = 1 ] || fail "bridge does not forward"
	destroy nat1
	nft list table ip "ctr_$BR" >/dev/null 2>&1 || fail "NAT went while nat2 still wants it"
	destroy nat2
	! nft list table ip "ctr_$BR" >/dev/null 2>&1 || fail "NAT left after the last container"
	[ "$(cat "/proc/sys/net/ipv4/conf/$BR/forwarding")" = 0 ] || fail "bridge still forwards"
}

test_what_a_killed_runtime_left_is_cleaned_by_the_next_command()
{
	nettest_bin
	local veth
	INIT="/bin/sh -c 'ip -4 addr show eth0'" conf again
	start again
	expect_rc 0
	# a lease of a container destroyed behind ctr's back, and a host end
	# whose namespace something else still holds
	echo "$SUBNET.99 ghost 0 auto" >>"$STORE/net/$BR.leases"
	nt vethname "$STORE" again 0
	veth=$(cat "$OUT")
	# the kernel removes the first run's host end with its namespace, soon
	wait_until 5 host_veth_gone again || fail "host end of again outlived its namespace"
	ip link add "$veth" type veth peer name "${veth}x" || fail "ip link add $veth"
	start again
	expect_rc 0
	expect_out_has "inet $(lease_of again)/24"
	! grep -q ghost "$STORE/net/$BR.leases" || fail "the ghost's lease is still there"
	! ip link show "${veth}x" >/dev/null 2>&1 || fail "the stale host end was not replaced"
	echo "$SUBNET.98 ghost2 0 auto nat" >>"$STORE/net/$BR.leases"
	"$BUILDDIR/ctr" --store "$STORE" net leases >"$T/leases" || fail "ctr net leases failed"
	grep -q "^$BR *$SUBNET.98 *ghost2 *0 *auto,nat" "$T/leases" || fail "leases: $(cat "$T/leases")"
	"$BUILDDIR/ctr" --store "$STORE" net prune || fail "ctr net prune failed"
	! grep -q ghost2 "$STORE/net/$BR.leases" || fail "prune kept a lease of no container"
	destroy again
}

test_nothing_is_left_behind()
{
	nettest_bin
	conf last
	start last
	expect_rc 0
	destroy last
	wait_until 5 host_veth_gone last || fail "host end of last still there"
	! grep -qv '^#' "$STORE/net/$BR.leases" || fail "leases left: $(cat "$STORE/net/$BR.leases")"
	[ -z "$(ip -o link show master "$BR")" ] || fail "links left on $BR: $(ip -o link show master "$BR")"
}

run_tests
