#!/bin/bash
# What a provisioning script does: many containers, a command in each, JSON.
. "$(dirname "$0")/lib.sh"

test_five_containers_created_started_configured_and_listed_as_json()
{
	local names=() n i
	for i in 1 2 3 4 5; do
		names+=("$(new_name)")
	done
	for n in "${names[@]}"; do
		ctr create "$n"; ok
		ctr start "$n"; ok
	done
	for n in "${names[@]}"; do
		ctr exec "$n" -- sh -c "echo provisioned-$n > /etc/motd && cat /etc/motd"; ok
		expect_out "provisioned-$n"
	done
	ctr list --format json; ok
	jq -e 'length == 5 and all(.[]; .state == "running" and .pid > 0 and .image == "busybox")' \
		"$OUT" >/dev/null || fail "list: $(cat "$OUT")"
	for n in "${names[@]}"; do
		ctr info "$n" --format json; ok
		jq -e --arg n "$n" '.name == $n and .state == "running" and .memory.usage > 0' \
			"$OUT" >/dev/null || fail "info $n: $(cat "$OUT")"
	done
	# Copy-on-write: each container's change is its own.
	ctr exec "${names[0]}" -- cat /etc/motd; ok
	expect_out "provisioned-${names[0]}"
	[ "$(ls "$STORE/images")" = busybox ] || fail "one image expected: $(ls "$STORE/images")"
	for n in "${names[@]}"; do
		ctr stop "$n" --kill; ok
	done
	ctr list --format json; ok
	jq -e 'all(.[]; .state == "stopped")' "$OUT" >/dev/null || fail "list: $(cat "$OUT")"
}

test_a_change_survives_a_restart()
{
	local n
	n=$(new_name)
	ctr create "$n"; ok
	ctr start "$n"; ok
	ctr exec "$n" -- sh -c 'echo kept > /root/file'; ok
	ctr stop "$n" --kill; ok
	ctr start "$n"; ok
	ctr exec "$n" -- cat /root/file; ok
	expect_out kept
}

run_tests
