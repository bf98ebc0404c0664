# shellcheck shell=bash
# tests/system/lib-images.sh - what tests/system/images.sh adds to
# tests/system/lib.sh (source that first):
#   new_store           an empty store for this test (the file's store,
#                       emptied: lib.sh has destroyed every container)
#   expect_ok ARGS...   ctr ARGS, which must exit 0
#   expect_refused MATCH ARGS...  ctr ARGS must exit 1 saying MATCH and leave
#                       the store as it was, file contents included
#   busybox_tar OUT [tar options]   the busybox template's rootfs as a tarball
#   oci_image OUT CONFIG_JSON LAYER_DIR...   an OCI image layout directory
#   docker_archive OUT.tar CONFIG_JSON LAYER_DIR...
#   store_container NAME IMAGE [CONFIG_LINE...]  a container made by the
#                       store alone (store-helper), never started
#   in_overlay NAME CMD  run CMD (sh -c) in the container's overlay, mounted
#                       in a private mount namespace
#   fake_running NAME   a live process recorded as NAME's init in the run
#                       root (killed after the test)

UNPACK=$BUILDDIR/ctr-unpack
STORE_HELPER=$BUILDDIR/tests/system/store-helper

eval "lib_file_setup() $(declare -f file_setup | tail -n +2)"
file_setup()
{
	lib_file_setup
	[ -n "$SETUP_SKIP$SETUP_ERROR" ] && return
	for bin in "$UNPACK" "$STORE_HELPER"; do
		[ -x "$bin" ] || {
			SETUP_SKIP="$bin is not built (run make check)"
			return
		}
	done
	command -v unshare >/dev/null || SETUP_SKIP="unshare is not installed"
}

new_store()
{
	[ -z "$(ls "$STORE/containers" 2>/dev/null)" ] || fail "containers left in $STORE"
	find "$STORE" -mindepth 1 -delete
}

expect_ok()
{
	ctr "$@"
	ok
}

# The store's paths with type, mode and size, and a checksum of its files.
store_contents()
{
	(
		cd "$STORE" || exit 1
		find . -path ./lock -prune -o -printf '%p %y %m %s\n' | LC_ALL=C sort
		find . -type f ! -name lock -exec md5sum {} + | LC_ALL=C sort -k2
	)
}

expect_refused()
{
	local match=$1 before after
	shift
	before=$(store_contents)
	ctr "$@"
	[ "$RC" = 1 ] || fail "ctr $* exited $RC, not 1"
	grep -qF -- "$match" "$ERR" || fail "ctr $*: message lacks '$match'"
	after=$(store_contents)
	[ "$before" = "$after" ] ||
		fail "ctr $* changed the store: $(diff <(echo "$before") <(echo "$after") | head -20)"
}

busybox_rootfs()
{
	[ -d "$FILE_TMP/bbroot" ] && { echo "$FILE_TMP/bbroot"; return; }
	mkdir "$FILE_TMP/bbroot"
	"$TEMPLATE" "$FILE_TMP/bbroot" img >/dev/null || fail "busybox template failed"
	echo "$FILE_TMP/bbroot"
}

busybox_tar()
{
	local out=$1 root
	shift
	root=$(busybox_rootfs)
	tar --numeric-owner -C "$root" "$@" -cf "$out" . || fail "tar $out"
}

# blob FILE DIR: move FILE into DIR/blobs/sha256 under its digest; prints
# "sha256:HEX SIZE".
blob()
{
	local digest size
	digest=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c %s "$1")
	mkdir -p "$2/blobs/sha256"
	mv "$1" "$2/blobs/sha256/$digest"
	echo "sha256:$digest $size"
}

# A layer tar of DIR (whiteout files are plain empty files named .wh.*).
layer_tar()
{
	tar --numeric-owner --owner=0 --group=0 --sort=name -C "$1" -cf "$2" . ||
		fail "tar layer $1"
}

oci_image()
{
	local out=$1 config=$2 layers="[]" d digest size i=0
	shift 2
	mkdir -p "$out"
	for d in "$@"; do
		i=$((i + 1))
		layer_tar "$d" "$out/l$i.tar"
		read -r digest size < <(blob "$out/l$i.tar" "$out")
		layers=$(jq -c --arg d "$digest" --argjson s "$size" \
			'. + [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $d, size: $s}]' \
			<<<"$layers")
	done
	cp "$config" "$out/config.json"
	read -r digest size < <(blob "$out/config.json" "$out")
	jq -n --arg c "$digest" --argjson cs "$size" --argjson l "$layers" '{
		schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		layers: $l}' >"$out/manifest.json"
	read -r digest size < <(blob "$out/manifest.json" "$out")
	echo '{"imageLayoutVersion":"1.0.0"}' >"$out/oci-layout"
	jq -n --arg m "$digest" --argjson ms "$size" '{schemaVersion: 2, manifests: [{
		mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms}]}' \
		>"$out/index.json"
}

docker_archive()
{
	local out=$1 config=$2 work layers="[]" d i=0
	shift 2
	work=$(mktemp -d "$T/docker.XXXXXX")
	for d in "$@"; do
		i=$((i + 1))
		mkdir "$work/l$i"
		layer_tar "$d" "$work/l$i/layer.tar"
		layers=$(jq -c --arg p "l$i/layer.tar" '. + [$p]' <<<"$layers")
	done
	cp "$config" "$work/config.json"
	jq -n --argjson l "$layers" \
		'[{Config: "config.json", RepoTags: ["test:latest"], Layers: $l}]' >"$work/manifest.json"
	tar -C "$work" -cf "$out" . || fail "tar $out"
}

in_overlay()
{
	local name=$1
	shift
	MNT=$T/mnt-$name
	mkdir -p "$MNT"
	unshare -m sh -c '"$1" mount "$2" "$3" "$4" && cd "$4" && eval "$5"' \
		sh "$STORE_HELPER" "$STORE" "$name" "$MNT" "$*"
}

# A container NAME on image IMAGE (config: "image = IMAGE" plus CONFIG_LINES).
store_container()
{
	local name=$1 image=$2
	shift 2
	printf 'image = %s\n' "$image" >"$T/config-$name"
	[ $# -gt 0 ] && printf '%s\n' "$@" >>"$T/config-$name"
	"$STORE_HELPER" create "$STORE" "$name" "$image" "$T/config-$name" ||
		fail "store-helper create $name"
}

fake_running()
{
	sleep 600 &
	bg_track $!
	"$STORE_HELPER" running "$RUNROOT" "$1" $! || fail "store-helper running $1"
}
