#!/bin/bash
# Networking of system containers (netns/, issue 5) through the ctr verbs:
# a bridge of this file's own (ctrbrT<pid>, its own subnet), veths made
# inside the containers' namespaces, leases, NAT rules, macvlan, none and
# host. Traffic only between the host and namespaces the tests create; NAT
# is checked as rules, never used.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

BR=ctrbrT$(($$ % 100000))
# A /24 of 10.128.0.0/9 from the pid: parallel runs of this file do not share one.
NET_A=$((128 + $$ % 120))
NET_B=$((($$ / 120) % 250))
SUBNET=10.$NET_A.$NET_B
BRIDGE_IP=$SUBNET.1
MV_PARENT=ctrmvT$(($$ % 100000))
NS=ctrnsT$$

eval "lib_$(declare -f file_cleanup)"
file_cleanup()
{
	local ours=0
	[ -n "$FILE_TMP" ] && [ -e "$FILE_TMP/ctrbr0-is-ours" ] && ours=1
	lib_file_cleanup
	ip link del "$BR" 2>/dev/null
	ip link del "$MV_PARENT" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	nft delete table ip "ctr_$BR" 2>/dev/null
	# ctrbr0 only when it was not there before this file's test made it.
	[ "$ours" = 1 ] && ip link del ctrbr0 2>/dev/null
	return 0
}

need_nft()
{
	command -v nft >/dev/null || skip "nft is not installed (apt-get install nftables)"
}

# make NAME [KEY=VALUE...]: a busybox container; without keys, one veth on
# this file's bridge.
make()
{
	local name=$1 args=()
	shift
	[ $# -gt 0 ] || set -- net.0.type=veth "net.0.link=$BR" "net.0.bridge.ipv4=$BRIDGE_IP/24"
	for kv in "$@"; do
		args+=(--config-set "$kv")
	done
	ctr create "$name" "${args[@]}"
	ok
}

lease_of() # NAME -> its address on $BR
{
	awk -v n="$1" '$2 == n && $3 == 0 { print $1 }' "$STORE/net/$BR.leases" 2>/dev/null
}

addr_in() # NAME -> the IPv4 address of its eth0
{
	"$CTR" exec "$1" -- ip -4 addr show eth0 </dev/null 2>/dev/null |
		awk '$1 == "inet" { sub(/\/.*/, "", $2); print $2 }'
}

host_veth_gone() # NAME
{
	! ip link show "$("$BUILDDIR/tests/integration/progs/nettest" vethname "$STORE" "$1" 0)" \
		>/dev/null 2>&1
}

echo_answers() # FROM ADDRESS
{
	"$CTR" exec "$1" -- sh -c "echo hello | nc -w 2 $2 7000" </dev/null 2>/dev/null | grep -qx hello
}

test_two_containers_reach_each_other_and_the_host()
{
	local a b
	a=$(new_name) b=$(new_name)
	make "$a" net.0.type=veth "net.0.link=$BR" "net.0.bridge.ipv4=$BRIDGE_IP/24" \
		"net.dns=$BRIDGE_IP" net.hosts=true
	make "$b"
	ctr start "$a"; ok
	ctr start "$b"; ok
	ctr exec "$a" -- cat /etc/resolv.conf /etc/hosts; ok
	expect_out_has "nameserver $BRIDGE_IP"
	expect_out_has "$(lease_of "$a")	$a"
	[ "$(addr_in "$a")" = "$(lease_of "$a")" ] || fail "$a: eth0 has $(addr_in "$a"), lease $(lease_of "$a")"
	busybox ping -c1 -W2 "$(lease_of "$a")" >/dev/null || fail "the host cannot ping $a"
	ctr exec "$b" -- ping -c1 -W2 "$(lease_of "$a")"; ok
	ctr exec "$b" -- ping -c1 -W2 "$BRIDGE_IP"; ok
	ctr exec "$a" -- sh -c 'while :; do nc -l -p 7000 -e /bin/cat; done </dev/null >/dev/null 2>&1 &'; ok
	wait_until 5 echo_answers "$b" "$(lease_of "$a")" || fail "no TCP echo from $a to $b"
	ctr exec "$b" -- ip route; ok
	expect_out_has "default via $BRIDGE_IP dev eth0"
}

# The defaults: net.0.type = veth alone puts a container on ctrbr0
# (10.0.3.1/24), made if missing. Skipped when the host already has a
# ctrbr0 this file did not make (it must not change or remove it).
test_two_containers_from_scratch_ping_each_other_through_ctrbr0()
{
	local a b addr_b
	if ip link show ctrbr0 >/dev/null 2>&1; then
		skip "the host already has a ctrbr0 of its own"
	fi
	touch "$FILE_TMP/ctrbr0-is-ours"
	a=$(new_name) b=$(new_name)
	make "$a" net.0.type=veth
	make "$b" net.0.type=veth
	ctr start "$a"; ok
	ctr start "$b"; ok
	ip link show ctrbr0 >/dev/null 2>&1 || fail "ctrbr0 was not made"
	addr_b=$(addr_in "$b")
	case $addr_b in 10.0.3.*) ;; *) fail "$b got '$addr_b', not an address of 10.0.3.0/24" ;; esac
	ctr exec "$a" -- ping -c1 -W2 "$addr_b"; ok
	ctr exec "$b" -- ping -c1 -W2 10.0.3.1; ok
}

test_twenty_parallel_starts_get_distinct_addresses()
{
	local names=() n pids=() i
	for i in $(seq 1 20); do
		n=$(new_name)
		names+=("$n")
		make "$n"
	done
	for n in "${names[@]}"; do
		"$CTR" start "$n" </dev/null >"$T/$n.out" 2>"$T/$n.err" &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || fail "${names[$i]}: $(cat "$T/${names[$i]}.err")"
	done
	for n in "${names[@]}"; do
		if [ -z "$(lease_of "$n")" ] || [ "$(addr_in "$n")" != "$(lease_of "$n")" ]; then
			fail "$n: eth0 has '$(addr_in "$n")', lease '$(lease_of "$n")'"
		fi
	done
	[ "$(for n in "${names[@]}"; do lease_of "$n"; done | sort -u | wc -l)" = 20 ] ||
		fail "addresses not distinct: $(cat "$STORE/net/$BR.leases")"
}

test_a_container_keeps_its_address_across_restarts()
{
	local a b first
	a=$(new_name) b=$(new_name)
	make "$a"
	make "$b"
	ctr start "$a"; ok
	first=$(addr_in "$a")
	ctr stop "$a"; ok
	ctr start "$b"; ok
	ctr start "$a"; ok
	[ "$(addr_in "$a")" = "$first" ] || fail "address went from $first to $(addr_in "$a")"
	ctr restart "$a"; ok
	[ "$(addr_in "$a")" = "$first" ] || fail "restart moved it from $first to $(addr_in "$a")"
}

test_list_and_info_show_the_address_while_running()
{
	local a addr
	a=$(new_name)
	make "$a"
	ctr start "$a"; ok
	addr=$(addr_in "$a")
	[ -n "$addr" ] || fail "no address inside"
	ctr --format json list; ok
	[ "$(jq -r --arg n "$a" '.[] | select(.name == $n) | .ips | join(",")' "$OUT")" = "$addr" ] ||
		fail "list --format json does not show $addr"
	ctr list; ok
	grep -E "^$a +running .* $addr " "$OUT" >/dev/null || fail "the list table does not show $addr"
	ctr info "$a"; ok
	expect_out_has "$addr"
	ctr stop "$a"; ok
	ctr --format json info "$a"; ok
	[ "$(jq -r '.ips | length' "$OUT")" = 0 ] || fail "a stopped container shows addresses"
}

test_a_static_address_is_honoured_and_reserved()
{
	local a b
	a=$(new_name) b=$(new_name)
	make "$a" net.0.type=veth "net.0.link=$BR" "net.0.bridge.ipv4=$BRIDGE_IP/24" "net.0.ipv4=$SUBNET.50/24"
	make "$b" net.0.type=veth "net.0.link=$BR" "net.0.bridge.ipv4=$BRIDGE_IP/24" "net.0.ipv4=$SUBNET.50/24"
	ctr start "$a"; ok
	[ "$(addr_in "$a")" = "$SUBNET.50" ] || fail "static address not set: $(addr_in "$a")"
	grep -q "^$SUBNET.50 $a 0 static" "$STORE/net/$BR.leases" || fail "not reserved"
	ctr start "$b"
	expect_rc 1
	expect_err_has "$SUBNET.50 is in use by container $a (net.0)"
}

test_macvlan_none_host_and_netns_modes()
{
	local m z h j
	m=$(new_name) z=$(new_name) h=$(new_name) j=$(new_name)
	ip link add "$MV_PARENT" type veth peer name "${MV_PARENT}p" || fail "cannot make a parent device"
	ip link set "$MV_PARENT" up
	make "$m" net.0.type=macvlan "net.0.link=$MV_PARENT" "net.0.ipv4=10.$NET_A.$((NET_B + 1)).7/24" \
		net.0.mtu=1400 net.0.hwaddr=02:00:00:aa:bb:cc
	make "$z" net.0.type=none
	make "$h" net.0.type=host
	ctr start "$m"; ok
	ctr exec "$m" -- ip addr show eth0; ok
	expect_out_has "inet 10.$NET_A.$((NET_B + 1)).7/24"
	expect_out_has "mtu 1400"
	expect_out_has "02:00:00:aa:bb:cc"
	ctr start "$z"; ok
	ctr exec "$z" -- ip link; ok
	[ "$(grep -c '^[0-9]*:' "$OUT")" = 1 ] || fail "none has more than lo: $(cat "$OUT")"
	expect_out_has "LOOPBACK,UP"
	ctr start "$h"; ok
	ctr exec "$h" -- readlink /proc/1/ns/net; ok
	expect_out "$(readlink /proc/self/ns/net)"
	ctr destroy --force "$m"; ok
	ip link del "$MV_PARENT"
	ip netns add "$NS" || fail "ip netns add $NS"
	make "$j" net.0.type=netns "net.0.link=$NS"
	ctr start "$j"; ok
	ctr exec "$j" -- readlink /proc/1/ns/net; ok
	expect_out "$(ip netns exec "$NS" readlink /proc/self/ns/net)"
	ctr destroy --force "$j"; ok
	ip netns del "$NS"
}

test_bad_values_are_rejected_with_their_line()
{
	local n
	n=$(new_name)
	ctr create "$n" --config-set net.0.type=veth --config-set net.0.ipv4=10.0.3.300/24
	expect_rc 1
	# The line is where --config-set put it, after the template's lines.
	grep -qE "$n/config:[0-9]+: net.0.ipv4: invalid address '10.0.3.300'" "$ERR" ||
		fail "no file:line error for net.0.ipv4"
	ctr create "$n" --config-set net.0.type=vxlan
	expect_rc 1
	grep -qE "$n/config:[0-9]+: net.0.type: expected veth, macvlan, none, host or netns, not 'vxlan'" "$ERR" ||
		fail "no file:line error for net.0.type"
	ctr create "$n" --config-set net.0.type=veth --config-set net.0.link=ctrbrT0123456789
	expect_rc 1
	expect_err_has "net.0.link: interface name 'ctrbrT0123456789' is longer than 15 characters"
	# an edited config is read again at start
	make "$n"
	echo "net.0.ipv4 = 10.0.3.0/24" >>"$STORE/containers/$n/config"
	ctr start "$n"
	expect_rc 1
	expect_err_has "$n/config:$(wc -l <"$STORE/containers/$n/config"): net.0.ipv4: '10.0.3.0/24' is the network or broadcast address"
	[ -z "$(lease_of "$n")" ] || fail "a rejected config took a lease"
	! ip link show ctrbrT0123456789 >/dev/null 2>&1 || fail "a rejected bridge was made"
}

test_nat_rules_exist_and_go_with_the_last_container()
{
	need_nft
	local a b
	a=$(new_name) b=$(new_name)
	make "$a" net.0.type=veth "net.0.link=$BR" "net.0.bridge.ipv4=$BRIDGE_IP/24" net.0.bridge.nat=true
	make "$b" net.0.type=veth "net.0.link=$BR" "net.0.bridge.ipv4=$BRIDGE_IP/24" net.0.bridge.nat=true
	ctr start "$a"; ok
	ctr start "$b"; ok
	nft list table ip "ctr_$BR" >"$T/rules" 2>&1 || fail "no table ctr_$BR: $(cat "$T/rules")"
	grep -q "ip saddr $SUBNET.0/24 ip daddr != $SUBNET.0/24 masquerade" "$T/rules" ||
		fail "no masquerade rule: $(cat "$T/rules")"
	[ "$(cat "/proc/sys/net/ipv4/conf/$BR/forwarding")" = 1 ] || fail "bridge does not forward"
	ctr destroy --force "$a"; ok
	nft list table ip "ctr_$BR" >/dev/null 2>&1 || fail "NAT went while $b still wants it"
	ctr destroy --force "$b"; ok
	! nft list table ip "ctr_$BR" >/dev/null 2>&1 || fail "NAT left after the last container"
	[ "$(cat "/proc/sys/net/ipv4/conf/$BR/forwarding")" = 0 ] || fail "bridge still forwards"
}

test_what_a_killed_runtime_left_is_cleaned_by_the_next_command()
{
	local n veth
	n=$(new_name)
	make "$n"
	ctr start "$n"; ok
	ctr stop "$n"; ok
	wait_until 5 host_veth_gone "$n" || fail "host end of $n outlived its namespace"
	# a lease of a container destroyed behind ctr's back, and a host end
	# whose namespace something else still holds
	echo "$SUBNET.99 ghost 0 auto" >>"$STORE/net/$BR.leases"
	veth=$("$BUILDDIR/tests/integration/progs/nettest" vethname "$STORE" "$n" 0)
	ip link add "$veth" type veth peer name "${veth}x" || fail "ip link add $veth"
	ctr start "$n"; ok
	! grep -q ghost "$STORE/net/$BR.leases" || fail "the ghost's lease is still there"
	! ip link show "${veth}x" >/dev/null 2>&1 || fail "the stale host end was not replaced"
	echo "$SUBNET.98 ghost2 0 auto" >>"$STORE/net/$BR.leases"
	ctr net leases; ok
	expect_out_has "ghost2"
	ctr net prune; ok
	! grep -q ghost2 "$STORE/net/$BR.leases" || fail "prune kept a lease of no container"
}

test_nothing_is_left_after_destroy()
{
	local n
	n=$(new_name)
	make "$n"
	ctr start "$n"; ok
	ctr destroy --force "$n"; ok
	wait_until 5 host_veth_gone "$n" || fail "host end of $n still there"
	! grep -q " $n " "$STORE/net/$BR.leases" || fail "lease left: $(cat "$STORE/net/$BR.leases")"
	ctr net leases; ok
	! grep -q "$n" "$OUT" || fail "ctr net leases still lists $n"
}

run_tests
