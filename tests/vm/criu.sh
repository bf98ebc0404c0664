#!/bin/bash
# vm lane: the pre-dump tests of tests/system/checkpoint.sh and migrate.sh
# on Debian's kernel under qemu (tests/vm/run-vm), which tracks dirty
# memory (soft-dirty bits) where this host's kernel does not: a checkpoint
# made on a pre-dump, and `ctr migrate` pre-dumping while the container
# runs (over ssh to an sshd of the test's own on the VM's loopback), then
# a migration that fails on the target after such a pre-dump.
# shellcheck source=lib-vm.sh
. "$(dirname "$0")/lib-vm.sh"

need_vm
[ -x "$BUILDDIR/ctr" ] || skip_all "$BUILDDIR/ctr is not built (run make)"
criu=${CTR_CRIU:-/opt/ctr-criu/sbin/criu}
[ -x "$criu" ] || skip_all "no criu >= 4.1 at $criu (tests/install-criu builds it)"

env=(--env "BUILDDIR=$BUILDDIR" --env "CTR_CRIU=$criu"
	--env CTR_TIMEOUT=300 --env "CTR_TEST_ONLY=${CTR_VM_TEST_ONLY:-pre_dump|failure_on_the_target}")
rc=0
cd "$BUILDDIR" || exit 1
# The VM's /var is an overlay, which cannot hold a container's upper
# layer: the stores go to a tmpfs over /var/lib (the VM's own). Each
# file's TAP with its plan, one after the other (run-suite adds them up).
# shellcheck disable=SC2016 # for the VM's sh
"$VM_DIR/run-vm" --timeout 840 "${env[@]}" -- /bin/sh -c '
	mount -t tmpfs -o mode=755 ctr-vm-lib /var/lib || exit 1
	"$CTR_CRIU" check --feature mem_dirty_track >/dev/null 2>&1 ||
		{ echo "Bail out! criu finds no dirty memory tracking in the VM"; exit 1; }
	rc=0
	for f in checkpoint migrate; do
		echo "# --- tests/system/$f.sh (in the vm)"
		"$0/tests/system/$f.sh" || rc=1
	done
	exit $rc' "$TOP" || rc=$?
vm_exit $rc
