#!/bin/bash
# Bad input: every invalid config or id makes `create` exit 1 before the
# host changes (no state dir, no cgroup, no process). For ctr, the error is
# one line on stderr that names the field path or file:line:col.
. "$(dirname "$0")/../lib.sh"

# Each bad_* sets up $B/$ID (and CREATE_ID, the id passed to create) and
# MATCH, what ctr's message must contain.
bad_malformed_json()
{
	mkbundle true
	# Line 5 lacks the ',' that line 4 needed.
	printf '{\n  "ociVersion": "1.0.2",\n  "process": {\n    "args": ["sh"]\n    "cwd": "/"\n  }\n}\n' \
		>"$B/config.json"
	CREATE_ID=$ID MATCH="config.json:5:"
}

bad_empty_args()
{
	mkbundle true
	cfg '.process.args = []'
	CREATE_ID=$ID MATCH="process.args"
}

bad_relative_mount_destination()
{
	mkbundle true
	cfg '.mounts += [{destination: "relative/dir", type: "tmpfs", source: "tmpfs"}]'
	CREATE_ID=$ID MATCH="destination"
}

bad_missing_rootfs()
{
	mkbundle true
	cfg '.root.path = "no-such-rootfs"'
	CREATE_ID=$ID MATCH="no-such-rootfs"
}

bad_id_with_slash()
{
	mkbundle true
	CREATE_ID="a/$ID" MATCH="invalid container id"
}

bad_id_dotdot()
{
	mkbundle true
	CREATE_ID=".." MATCH="invalid container id"
}

create_fails_and_leaves_nothing()
{
	"bad_$1"
	rt create --bundle "$B" --pid-file "$T/pid" "$CREATE_ID"
	expect_rc 1
	[ ! -e "$T/pid" ] || fail "pid file written by a failed create"
	[ -z "$(ls -A "$ROOT")" ] || fail "state root not empty: $(ls -A "$ROOT")"
	expect_nothing_left "$ID"
}

error_is_one_line_naming_the_place()
{
	ctr_only "runc words errors differently and adds logrus fields"
	"bad_$1"
	rt create --bundle "$B" "$CREATE_ID"
	expect_rc 1
	[ "$(wc -l <"$ERR")" = 1 ] || fail "stderr has $(wc -l <"$ERR") lines, not 1"
	grep -qF -- "$MATCH" "$ERR" || fail "error does not name '$MATCH'"
}

test_malformed_json_fails_create_and_leaves_nothing() { create_fails_and_leaves_nothing malformed_json; }
test_malformed_json_error_names_file_line_and_column() { error_is_one_line_naming_the_place malformed_json; }
test_empty_process_args_fails_create_and_leaves_nothing() { create_fails_and_leaves_nothing empty_args; }
test_empty_process_args_error_names_process_args() { error_is_one_line_naming_the_place empty_args; }

test_relative_mount_destination_fails_create_and_leaves_nothing()
{
	ctr_only "runc 1.1.5 accepts relative mount destinations with a deprecation warning"
	create_fails_and_leaves_nothing relative_mount_destination
}

test_relative_mount_destination_error_names_the_field() { error_is_one_line_naming_the_place relative_mount_destination; }
test_missing_rootfs_fails_create_and_leaves_nothing() { create_fails_and_leaves_nothing missing_rootfs; }
test_missing_rootfs_error_names_the_path() { error_is_one_line_naming_the_place missing_rootfs; }
test_id_with_slash_fails_create_and_leaves_nothing() { create_fails_and_leaves_nothing id_with_slash; }
test_id_with_slash_error_says_invalid_id() { error_is_one_line_naming_the_place id_with_slash; }
test_id_dotdot_fails_create_and_leaves_nothing() { create_fails_and_leaves_nothing id_dotdot; }
test_id_dotdot_error_says_invalid_id() { error_is_one_line_naming_the_place id_dotdot; }

test_duplicate_id_fails_create_and_keeps_the_first_container()
{
	mkbundle sleep 100
	local first=$B id=$ID
	rt create --bundle "$B" --pid-file "$T/pid" "$id"
	expect_rc 0
	mkbundle true
	rt create --bundle "$B" --pid-file "$T/pid2" "$id"
	expect_rc 1
	[ ! -e "$T/pid2" ] || fail "pid file written by the failed create"
	rt state "$id"
	expect_rc 0
	[ "$(jq -r .status "$OUT")" = created ] || fail "first container is no longer created"
	[ "$(jq -r .pid "$OUT")" = "$(cat "$T/pid")" ] || fail "first container's pid changed"
	[ "$(jq -r .bundle "$OUT")" = "$first" ] || fail "first container's bundle changed"
}

test_duplicate_id_error_says_it_exists()
{
	ctr_only "runc words errors differently and adds logrus fields"
	mkbundle sleep 100
	local id=$ID
	rt create --bundle "$B" "$id"
	expect_rc 0
	mkbundle true
	rt create --bundle "$B" "$id"
	expect_rc 1
	[ "$(wc -l <"$ERR")" = 1 ] || fail "stderr has $(wc -l <"$ERR") lines, not 1"
	expect_err_has "already exists"
}

test_unknown_properties_are_ignored()
{
	mkbundle true
	cfg '.ctrTestUnknown = {a: 1} | .process.ctrTestUnknown = [1, 2] | .linux.ctrTestUnknown = "x"'
	rt run --bundle "$B" "$ID"
	expect_rc 0
}

test_oci_version_of_a_later_1_x_release_is_accepted()
{
	mkbundle true
	cfg '.ociVersion = "1.1.0"'
	rt run --bundle "$B" "$ID"
	expect_rc 0
}

run_tests
