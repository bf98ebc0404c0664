#!/bin/bash
# tests/vm/userns-system.sh - in the vm (Debian's 6.1 kernel): the system
# tests of unprivileged containers (tests/system/userns.sh) with the store
# on ext4 (idmapped layers, attached through staging) and on tmpfs (no
# idmapped mounts before 6.3: shifted copies). ~6 minutes under TCG, so
# not in the default vm run:
#   CTR_VM_TESTS=tests/vm/userns-system.sh make check-vm
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
M=/var/cache/ctr-vm/kernel/lib/modules/$(uname -r)/kernel
failed=0

for m in crypto/crc32c_generic lib/crc16 fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4 drivers/block/loop; do
	[ -e "$M/$m.ko" ] && busybox insmod "$M/$m.ko" 2>/dev/null
done
# /var/lib (where the tests' stores go) is the VM's overlay, which no
# overlay takes as an upper layer: give it a real filesystem each time.
for fs in ext4 tmpfs; do
	echo "# --- tests/system/userns.sh, store on $fs"
	case $fs in
	ext4)
		truncate -s 512M /tmp/userns-vl.img && mkfs.ext4 -q /tmp/userns-vl.img &&
			mount -o loop /tmp/userns-vl.img /var/lib || { echo "# no ext4 here"; continue; }
		;;
	tmpfs) mount -t tmpfs userns-vl /var/lib ;;
	esac
	# No Debian here: debootstrap under TCG takes longer than the lane.
	CTR_TEST_NO_DEBIAN=1 "$TOP/tests/system/userns.sh" || failed=1
	umount /var/lib
	rm -f /tmp/userns-vl.img
done
exit $failed
