#!/bin/bash
# tests/vm/userns-fs.sh - in the vm (Debian's 6.1 kernel): the unprivileged
# container root (tests/unit/test_userns_root) on ext4, where overlayfs
# takes idmapped layers only once attached (staging), and on tmpfs, which
# has no idmapped mounts before 6.3 (shifted copies). TAP from cmocka.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=${BUILDDIR:-$TOP}
T=$BUILDDIR/tests/unit/test_userns_root
M=/var/cache/ctr-vm/kernel/lib/modules/$(uname -r)/kernel
W=$(mktemp -d /tmp/ctr-userns-vm-XXXXXX)
failed=0
chmod 0755 "$W" # the container's ids must reach the mounts below
trap 'umount "$W/ext4" "$W/tmpfs" 2>/dev/null; rm -rf "$W"' EXIT

for m in crypto/crc32c_generic lib/crc16 fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4 drivers/block/loop; do
	[ -e "$M/$m.ko" ] && busybox insmod "$M/$m.ko" 2>/dev/null
done
mkdir -p "$W/ext4" "$W/tmpfs"
mount -t tmpfs tmpfs "$W/tmpfs"
echo "# --- test_userns_root on tmpfs"
CMOCKA_MESSAGE_OUTPUT=TAP CTR_USERNS_TEST_DIR=$W/tmpfs "$T" || failed=1
if truncate -s 128M "$W/ext4.img" && mkfs.ext4 -q "$W/ext4.img" &&
	mount -o loop "$W/ext4.img" "$W/ext4"; then
	echo "# --- test_userns_root on ext4"
	CMOCKA_MESSAGE_OUTPUT=TAP CTR_USERNS_TEST_DIR=$W/ext4 "$T" || failed=1
else
	echo "1..1"
	echo "ok 1 # SKIP no ext4 on a loop device in this vm"
fi
exit $failed
