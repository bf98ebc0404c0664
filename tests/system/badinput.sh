#!/bin/bash
# Bad input is refused with one line on stderr, and the store is unchanged.
. "$(dirname "$0")/lib.sh"

# Run ctr ARGS, expect failure with MSG in stderr and the store unchanged.
refused()
{
	local msg=$1 before
	shift
	before=$(store_listing)
	ctr "$@"
	[ "$RC" != 0 ] || fail "ctr $* succeeded"
	expect_err_has "$msg"
	[ "$(wc -l <"$ERR")" = 1 ] || [ "$msg" = "template busybox failed" ] ||
		fail "more than one line on stderr"
	[ "$(store_listing)" = "$before" ] || {
		diff <(echo "$before") <(store_listing) >&2
		fail "ctr $* changed the store"
	}
}

test_create_refuses_bad_names_templates_and_config()
{
	local n
	n=$(new_name)
	ctr create "$n"; ok
	refused "must not contain '/'" create a/b
	refused "must not be '.' or '..'" create ..
	refused "already exists" create "$n"
	refused "unknown template 'nosuch'" create x1 -t nosuch
	refused "template busybox failed" create x2 -- --bogus
	refused "did you mean 'limits.memory'" create x3 --config-set limits.memroy=1G
	refused "image 'nope' does not exist" create x4 --image nope
	refused "must be an absolute path" create x5 --rootfs rel
	refused "not a directory" create x6 --rootfs /nonexistent
	refused "expected key=value" create x7 --config-set foo
	refused "missing container name" create
	refused "exclude each other" create x8 -t busybox --image busybox
	refused "unknown option" create x9 --bogus
}

expect_no_image_and_no_staging() # IMAGE
{
	[ ! -e "$STORE/images/$1" ] && [ -z "$(find "$STORE/containers" "$STORE/tmp" -mindepth 1)" ] ||
		fail "left: $(ls -R "$STORE/images" "$STORE/containers" "$STORE/tmp")"
}

test_a_failing_template_leaves_no_image_and_no_staging()
{
	mkdir "$T/tpl"
	printf '#!/bin/sh\necho partial > "$1/file"\necho "init = /sbin/init"\nexit 3\n' >"$T/tpl/broken"
	chmod +x "$T/tpl/broken"
	CTR_TEMPLATE_PATH=$T/tpl ctr create x1 -t broken
	expect_rc 1
	expect_err_has "template broken failed (exit status 3)"
	expect_no_image_and_no_staging broken
}

test_a_template_printing_a_bad_config_line_is_refused()
{
	mkdir "$T/tpl"
	printf '#!/bin/sh\necho "init = /sbin/init"\necho "halt.signal = SIGNOPE"\n' >"$T/tpl/badcfg"
	chmod +x "$T/tpl/badcfg"
	CTR_TEMPLATE_PATH=$T/tpl ctr create x1 -t badcfg
	expect_rc 1
	expect_err_has "halt.signal"
	expect_no_image_and_no_staging badcfg
}

test_verbs_refuse_missing_containers_and_bad_arguments()
{
	local n
	n=$(new_name)
	ctr create "$n"; ok
	refused "does not exist" start nosuch
	refused "does not exist" stop nosuch
	refused "does not exist" destroy nosuch
	refused "does not exist" info nosuch
	refused "does not exist" exec nosuch -- true
	refused "missing command" exec "$n"
	refused "not a number of seconds" stop "$n" --timeout soon
	refused "invalid format" list --format yaml
	refused "only limits.* can be updated" update "$n" init=/bin/sh
	refused "expected ^a" console "$n" --escape x
	refused "unknown command" frobnicate
}

# The veth is made in the new netns by the launcher's hook, after the init
# exists: asking for it to be named "lo", which every netns has, fails
# there, and everything made up to then must go.
test_a_start_that_fails_in_setup_leaves_nothing()
{
	local n br=ctrbrI$(($$ % 100000))
	n=$(new_name)
	ctr create "$n" --config-set net.0.type=veth --config-set net.0.link=$br \
		--config-set net.0.bridge.ipv4=10.$((128 + $$ % 120)).$(($$ % 250)).1/24 \
		--config-set net.0.name=lo
	ok
	ctr start "$n"
	local rc=$RC
	ip link del "$br" 2>/dev/null
	RC=$rc
	expect_rc 1
	expect_err_has "net.0"
	[ ! -e "$RUNROOT/$n" ] || fail "state left"
	[ -z "$(our_cgroups)" ] || fail "cgroups left: $(our_cgroups)"
	[ -z "$(our_monitors)" ] || fail "monitor left"
}

run_tests
