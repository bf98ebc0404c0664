#!/bin/bash
# The store verbs of ctr (image list/import/rm, clone, snapshot, template
# list) and the oci and tarball templates. Every refused command leaves the
# store as it was (compared file by file). Containers are made and their
# overlays mounted with tests/system/store-helper, so most tests need only
# the store (a running container is a live process recorded in the run
# root); the last ones go through create, start and exec.
# shellcheck disable=SC2016 # in_overlay's commands run in the overlay
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-images.sh"

# --- images ---------------------------------------------------------------

test_image_import_lists_the_image_with_its_source_and_size()
{
	new_store
	busybox_tar "$T/bb.tar.gz" -z
	expect_ok image import "$T/bb.tar.gz"
	[ ! -s "$OUT" ] || fail "import printed on a pipe: $(cat "$OUT")"
	expect_ok image list --format json
	[ "$(jq -r '.[0].name' "$OUT")" = bb ] || fail "name from the file is not bb"
	[ "$(jq -r '.[0].source' "$OUT")" = "$T/bb.tar.gz" ] || fail "source"
	[ "$(jq -r '.[0].size' "$OUT")" -gt 1000000 ] || fail "size"
	expect_ok image import "$T/bb.tar.gz" other --kind rootfs
	expect_ok image list
	[ "$(head -1 "$OUT" | tr -s ' ')" = "NAME SIZE CREATED SOURCE TEMPLATE" ] || fail "header"
	grep -q '^bb ' "$OUT" || fail "table lacks bb"
	grep -q '^other ' "$OUT" || fail "table lacks other"
	[ -x "$STORE/images/other/rootfs/bin/busybox" ] || fail "rootfs not unpacked"
	[ -z "$(ls "$STORE/tmp")" ] || fail "staging left in tmp"
}

test_image_import_shows_progress_only_on_a_terminal()
{
	command -v script >/dev/null || skip "script(1) is not installed"
	new_store
	busybox_tar "$T/bb.tar"
	script -qec "$CTR image import $T/bb.tar" /dev/null >"$T/tty" </dev/null ||
		fail "import on a terminal failed"
	grep -q 'importing .*entries.*/s' "$T/tty" || fail "no progress line: $(cat -v "$T/tty")"
	script -qec "$CTR --quiet image import $T/bb.tar quiet" /dev/null >"$T/tty2" </dev/null
	[ ! -s "$T/tty2" ] || fail "--quiet printed: $(cat -v "$T/tty2")"
}

test_image_rm_refuses_an_image_a_container_uses()
{
	new_store
	busybox_tar "$T/bb.tar"
	expect_ok image import "$T/bb.tar" bb
	expect_ok image import "$T/bb.tar" spare
	store_container web bb
	expect_refused "used by container 'web'" image rm bb
	expect_ok image rm spare
	expect_ok image list --format json
	[ "$(jq -r '[.[].name] | join(",")' "$OUT")" = bb ] || fail "spare not removed"
}

test_image_bad_input_leaves_the_store_unchanged()
{
	new_store
	busybox_tar "$T/bb.tar"
	head -c 4096 /dev/urandom >"$T/junk.tar"
	expect_ok image import "$T/bb.tar" bb
	expect_refused "already exists" image import "$T/bb.tar" bb
	expect_refused "invalid image name" image import "$T/bb.tar" 'a/b'
	expect_refused "No such file" image import "$T/missing.tar" x
	expect_refused "invalid kind" image import "$T/bb.tar" x --kind zip
	expect_refused "no oci-layout" image import "$T/bb.tar" x --kind image
	expect_refused "junk.tar" image import "$T/junk.tar" x
	expect_refused "does not exist" image rm nope
	expect_refused "missing arguments" image import
	expect_refused "expected list, import or rm" image frobnicate
}

# --- clone ----------------------------------------------------------------

clone_setup()
{
	new_store
	busybox_tar "$T/bb.tar"
	expect_ok image import "$T/bb.tar" bb
	store_container web bb "# the web server" "hostname = web"
	in_overlay web 'echo original > hello && mkdir -p data && seq 1 1000 > data/numbers' ||
		fail "write into web"
}

test_clone_is_independent_both_ways()
{
	clone_setup
	expect_ok clone web copy
	in_overlay copy 'test "$(cat hello)" = original && test -s data/numbers' ||
		fail "copy lacks what web had"
	in_overlay web 'echo from-web > only-web && echo changed > hello' || fail "write into web"
	in_overlay copy 'echo from-copy > only-copy && rm data/numbers' || fail "write into copy"
	in_overlay web 'test ! -e only-copy && test -s data/numbers && test "$(cat hello)" = changed' ||
		fail "a write in copy is visible in web"
	in_overlay copy 'test ! -e only-web && test "$(cat hello)" = original && test ! -e data/numbers' ||
		fail "a write in web is visible in copy"
}

test_clone_renames_a_hostname_that_was_the_source_name()
{
	clone_setup
	expect_ok clone web web2
	grep -qx 'hostname = web2' "$STORE/containers/web2/config" || fail "hostname not web2"
	grep -qx '# the web server' "$STORE/containers/web2/config" || fail "comment lost"
	grep -qx 'hostname = web' "$STORE/containers/web/config" || fail "source changed"
	# Not a valid hostname: the line goes and the default (the name) applies.
	expect_ok clone web web_3
	! grep -q hostname "$STORE/containers/web_3/config" || fail "kept an invalid hostname"
	store_container other bb "hostname = fixed"
	expect_ok clone other other2
	grep -qx 'hostname = fixed' "$STORE/containers/other2/config" || fail "chosen hostname changed"
}

test_clone_renames_etc_hostname_and_hosts_that_named_the_source()
{
	new_store
	busybox_tar "$T/bb.tar"
	expect_ok image import "$T/bb.tar" bb
	# The busybox rootfs of this file was made for a container named img.
	store_container img bb
	expect_ok clone img img2
	in_overlay img2 'test "$(cat etc/hostname)" = img2 && grep -q "^127.0.1.1[[:space:]]img2$" etc/hosts' ||
		fail "img2's /etc/hostname or /etc/hosts still name img"
	in_overlay img 'test "$(cat etc/hostname)" = img && grep -q "^127.0.1.1[[:space:]]img$" etc/hosts' ||
		fail "img's files changed"
	in_overlay img 'echo custom > etc/hostname' || fail "write img"
	expect_ok clone img img3
	in_overlay img3 'test "$(cat etc/hostname)" = custom' || fail "a chosen /etc/hostname changed"
}

test_clone_takes_under_100ms_median()
{
	clone_setup
	in_overlay web 'for i in $(seq 1 2000); do echo $i > f$i; done; head -c 50000000 /dev/zero > big' ||
		fail "populate web"
	local i t0 t1 times=()
	for i in $(seq 1 20); do
		t0=$(date +%s%N)
		"$CTR" clone web c$i || fail "clone $i"
		t1=$(date +%s%N)
		times+=($(((t1 - t0) / 1000)))
	done
	local median
	median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 10p)
	echo "clone median ${median} us over 20 runs (populated upper)" >&2
	[ "$median" -lt 100000 ] || fail "clone median ${median} us >= 100 ms"
}

test_clone_bad_input_leaves_the_store_unchanged()
{
	clone_setup
	store_container busy bb
	expect_refused "does not exist" clone nope x
	expect_refused "already exists" clone web busy
	expect_refused "invalid" clone web 'a/b'
	expect_refused "missing arguments" clone web
	fake_running busy
	expect_refused "container 'busy' is running" clone busy x
	# A container on a plain directory has nothing in the store to clone.
	store_container ondir bb
	mkdir "$T/dir"
	echo "rootfs = $T/dir" >"$STORE/containers/ondir/config"
	expect_refused "runs on the directory $T/dir" clone ondir x
	expect_refused "runs on the directory $T/dir" snapshot ondir
}

# --- snapshots --------------------------------------------------------------

test_snapshot_create_list_restore_rm()
{
	clone_setup
	expect_ok snapshot web
	[ "$(cat "$OUT")" = snap0 ] || fail "first default name is not snap0"
	expect_ok snapshot web
	[ "$(cat "$OUT")" = snap1 ] || fail "second default name is not snap1"
	expect_ok snapshot web before-upgrade
	expect_ok snapshot list web --format json
	[ "$(jq -r '[.[].name] | join(",")' "$OUT")" = before-upgrade,snap0,snap1 ] ||
		fail "list: $(cat "$OUT")"
	expect_ok snapshot list web
	grep -q '^snap0 ' "$OUT" || fail "table lacks snap0"
	in_overlay web 'echo upgraded > hello && rm -r data && echo new > new' || fail "change web"
	expect_ok snapshot restore web before-upgrade
	in_overlay web 'test "$(cat hello)" = original && test -s data/numbers && test ! -e new' ||
		fail "restore did not bring the content back"
	expect_ok snapshot rm web snap0 snap1
	expect_ok snapshot list web --format json
	[ "$(jq -r '[.[].name] | join(",")' "$OUT")" = before-upgrade ] || fail "rm: $(cat "$OUT")"
	# A name a subcommand takes is reached through create.
	store_container list bb
	expect_ok snapshot create list s
}

test_snapshot_bad_input_leaves_the_store_unchanged()
{
	clone_setup
	expect_ok snapshot web s1
	expect_refused "already exists" snapshot web s1
	expect_refused "invalid" snapshot web 'x/y'
	expect_refused "does not exist" snapshot nope
	expect_refused "does not exist" snapshot restore web nope
	expect_refused "does not exist" snapshot rm web nope
	expect_refused "missing arguments" snapshot restore web
	fake_running web
	expect_refused "is running" snapshot web s2
	expect_refused "is running" snapshot restore web s1
	expect_refused "is running" snapshot rm web s1
	ctr snapshot list web
	[ "$RC" = 0 ] || fail "list refused a running container"
}

# --- templates ----------------------------------------------------------------

test_template_list_shows_the_shipped_templates_with_descriptions()
{
	new_store
	expect_ok template list --format json
	for t in busybox oci tarball; do
		[ -n "$(jq -r --arg t "$t" '.[] | select(.name == $t) | .description' "$OUT")" ] ||
			fail "template $t missing or without a description"
	done
	mkdir "$T/mine"
	printf '#!/bin/sh\n# description: my own\n' >"$T/mine/busybox"
	chmod +x "$T/mine/busybox"
	CTR_TEMPLATE_PATH=$T/mine expect_ok template list --format json
	[ "$(jq -r '.[] | select(.name == "busybox") | .description' "$OUT")" = "my own" ] ||
		fail "CTR_TEMPLATE_PATH does not come first"
}

# Two layers over busybox: whiteouts, an opaque directory, a file replaced.
oci_layers()
{
	local root
	root=$(busybox_rootfs)
	mkdir -p "$T/l1" "$T/l2/data" "$T/l2/opq" "$T/l2/etc"
	cp -a "$root/." "$T/l1/"
	mkdir -p "$T/l1/data" "$T/l1/opq/sub"
	echo keep >"$T/l1/data/keep"
	echo gone >"$T/l1/data/gone"
	echo old >"$T/l1/opq/sub/old"
	echo one >"$T/l1/etc/motd"
	echo 'app:x:1000:1000::/data:/bin/sh' >>"$T/l1/etc/passwd"
	echo 'staff:x:50:' >>"$T/l1/etc/group"
	: >"$T/l2/data/.wh.gone"
	: >"$T/l2/opq/.wh..wh..opq"
	echo new >"$T/l2/opq/new"
	echo two >"$T/l2/etc/motd"
	jq -n '{architecture: "amd64", os: "linux", config: {
		Entrypoint: ["/bin/sh", "-c"], Cmd: ["echo '"'"'hi there'"'"' \"$GREETING\""],
		Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=hello world"],
		WorkingDir: "/data", User: "app:staff"}}' >"$T/config.json"
}

check_oci_rootfs()
{
	local r=$1
	[ "$(cat "$r/data/keep")" = keep ] || fail "$r: data/keep lost"
	[ ! -e "$r/data/gone" ] && [ ! -e "$r/data/.wh.gone" ] || fail "$r: whiteout not applied"
	[ ! -e "$r/opq/sub" ] && [ "$(cat "$r/opq/new")" = new ] || fail "$r: opaque dir wrong"
	[ ! -e "$r/opq/.wh..wh..opq" ] || fail "$r: opaque marker left"
	[ "$(cat "$r/etc/motd")" = two ] || fail "$r: upper layer does not win"
}

check_oci_config()
{
	grep -qx "init = /bin/sh -c 'echo '\\\\''hi there'\\\\'' \"\$GREETING\"'" "$1" ||
		fail "init line: $(grep init "$1")"
	grep -qx 'env = GREETING=hello world' "$1" || fail "env: $(cat "$1")"
	grep -qx 'env = PATH=/usr/sbin:/usr/bin:/sbin:/bin' "$1" || fail "env PATH"
	grep -qx 'cwd = /data' "$1" || fail "cwd"
	grep -qx 'user = 1000:50' "$1" || fail "user: $(grep user "$1")"
}

test_oci_template_applies_whiteouts_and_carries_the_config()
{
	new_store
	oci_layers
	oci_image "$T/layout" "$T/config.json" "$T/l1" "$T/l2"
	tar -C "$T/layout" -cf "$T/image.tar" oci-layout index.json blobs
	docker_archive "$T/docker.tar" "$T/config.json" "$T/l1" "$T/l2"
	for a in "$T/layout" "$T/image.tar" "$T/docker.tar"; do
		rm -rf "$T/rootfs" && mkdir "$T/rootfs"
		CTR_UNPACK=$UNPACK "$TOP/templates/oci" "$T/rootfs" app -- --archive "$a" \
			>"$T/lines" 2>"$T/err" || fail "oci template on $a: $(cat "$T/err")"
		check_oci_rootfs "$T/rootfs"
		check_oci_config "$T/lines"
	done
}

test_image_import_of_an_oci_layout_applies_layers_and_keeps_the_config()
{
	new_store
	oci_layers
	oci_image "$T/layout" "$T/config.json" "$T/l1" "$T/l2"
	expect_ok image import "$T/layout" app
	check_oci_rootfs "$STORE/images/app/rootfs"
	jq -e '.config.entrypoint == ["/bin/sh", "-c"] and .config.working_dir == "/data" and
		.config.user == "app:staff" and (.config.env | index("GREETING=hello world"))' \
		"$STORE/images/app/meta.json" >/dev/null || fail "image config not kept"
}

# Through the lifecycle verbs: what the image config says is what init gets.
test_oci_template_through_create_start_exec()
{
	"$CTR" --help | grep -q '^  create ' || skip "ctr create is not in this build"
	new_store
	oci_layers
	jq '.config.Cmd = ["echo \"$GREETING|$(pwd)|$(id -u):$(id -g)\" > /tmp/seen; exec sleep 1000"]' \
		"$T/config.json" >"$T/c2.json"
	oci_image "$T/layout" "$T/c2.json" "$T/l1" "$T/l2"
	local app
	app=$(new_name) # also its cgroup's name: unique on the host
	expect_ok create "$app" -t oci -- --archive "$T/layout"
	grep -qx 'user = 1000:50' "$STORE/containers/$app/config" ||
		fail "config: $(cat "$STORE/containers/$app/config")"
	expect_ok start "$app"
	wait_until 10 "$CTR" exec "$app" -- test -s /tmp/seen || fail "init did not write /tmp/seen"
	expect_ok exec "$app" -- cat /tmp/seen
	[ "$(cat "$OUT")" = "hello world|/data|1000:50" ] || fail "init saw: $(cat "$OUT")"
	expect_ok exec "$app" -- sh -c 'test ! -e /data/gone && cat /opq/new /etc/motd'
	[ "$(tr '\n' ' ' <"$OUT")" = "new two " ] || fail "layers: $(cat "$OUT")"
	expect_ok stop "$app" --timeout 2
	expect_ok destroy "$app"
}

test_imported_oci_image_runs_its_config_with_create_image()
{
	"$CTR" --help | grep -q '^  create ' || skip "ctr create is not in this build"
	new_store
	oci_layers
	jq '.config.Cmd = ["echo \"$GREETING|$(pwd)|$(id -u):$(id -g)\" > /tmp/seen; exec sleep 1000"]' \
		"$T/config.json" >"$T/c2.json"
	docker_archive "$T/docker.tar" "$T/c2.json" "$T/l1" "$T/l2"
	expect_ok image import "$T/docker.tar" app
	local name
	name=$(new_name)
	expect_ok create "$name" --image app
	expect_ok start "$name"
	wait_until 10 "$CTR" exec "$name" -- test -s /tmp/seen || fail "init did not write /tmp/seen"
	expect_ok exec "$name" -- cat /tmp/seen
	[ "$(cat "$OUT")" = "hello world|/data|1000:50" ] || fail "init saw: $(cat "$OUT")"
	expect_ok stop "$name" --timeout 2
	expect_refused "used by container '$name'" image rm app
}

test_tarball_template_through_create_start_exec()
{
	"$CTR" --help | grep -q '^  create ' || skip "ctr create is not in this build"
	new_store
	busybox_tar "$T/root.tar.xz" -J
	local tb
	tb=$(new_name)
	expect_ok create "$tb" -t tarball -- --file "$T/root.tar.xz" --init "/bin/sh -c 'exec sleep 1000'"
	expect_ok start "$tb"
	expect_ok exec "$tb" -- sh -c 'echo ok; ls /bin/busybox'
	[ "$(head -1 "$OUT")" = ok ] || fail "exec: $(cat "$OUT")"
	# Running: clone and snapshot refuse, the store as it was.
	expect_refused "is running" clone "$tb" copy
	expect_refused "is running" snapshot "$tb"
	expect_ok stop "$tb" --timeout 2
	expect_ok clone "$tb" "$tb-2"
	expect_ok destroy "$tb"
	expect_ok destroy "$tb-2"
}

test_tarball_template_unpacks_gzip_and_xz()
{
	new_store
	local z flag
	for z in gz xz; do
		flag=-J
		[ $z = gz ] && flag=-z
		busybox_tar "$T/root.tar.$z" "$flag"
		rm -rf "$T/rootfs" && mkdir "$T/rootfs"
		CTR_UNPACK=$UNPACK "$TOP/templates/tarball" "$T/rootfs" tb -- --file "$T/root.tar.$z" \
			--init "/bin/sh -c 'sleep 1'" >"$T/lines" 2>"$T/err" ||
			fail "tarball template on .tar.$z: $(cat "$T/err")"
		[ -x "$T/rootfs/bin/busybox" ] && [ -L "$T/rootfs/bin/sh" ] || fail ".tar.$z not unpacked"
		[ "$(cat "$T/lines")" = "init = /bin/sh -c 'sleep 1'" ] || fail "lines: $(cat "$T/lines")"
	done
}

test_templates_refuse_bad_input()
{
	new_store
	mkdir "$T/rootfs"
	local t
	for t in "oci -- --archive $T/missing" "oci" "oci -- --bogus" "tarball -- --file $T/missing" \
		"tarball"; do
		set -- $t
		local name=$1
		shift
		if CTR_UNPACK=$UNPACK "$TOP/templates/$name" "$T/rootfs" x "$@" >"$T/out" 2>"$T/err"; then
			fail "template $t succeeded"
		fi
		[ -s "$T/err" ] || fail "template $t failed without a message"
	done
	head -c 4096 /dev/urandom >"$T/junk.tar"
	if CTR_UNPACK=$UNPACK "$TOP/templates/oci" "$T/rootfs" x -- --archive "$T/junk.tar" \
		>"$T/out" 2>"$T/err"; then
		fail "oci template unpacked junk"
	fi
	grep -q 'ctr-unpack:' "$T/err" || fail "no ctr-unpack message: $(cat "$T/err")"
}

run_tests
