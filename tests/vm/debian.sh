#!/bin/bash
# vm lane: tests/system/debian.sh on a pure cgroup v2 host (tests/vm/run-vm):
# Debian's systemd in a ctr container, booted from the template's cached
# tree (the VM has no network: skipped until a run on the host made it).
# Under TCG everything is ~20x slower: one timed boot, limits scaled.
# shellcheck source=lib-vm.sh
. "$(dirname "$0")/lib-vm.sh"
CACHE=${CTR_CACHE_DIR:-/var/cache/ctr}

need_vm
[ -x "$BUILDDIR/ctr" ] || skip_all "$BUILDDIR/ctr is not built (run make)"
compgen -G "$CACHE/debian/bookworm-minbase-*" >/dev/null ||
	skip_all "no cached Debian tree in $CACHE/debian (run tests/system/debian.sh on the host first)"

env=(--env "BUILDDIR=$BUILDDIR" --env "CTR_CACHE_DIR=$CACHE" --env CTR_DEBIAN_BOOT_RUNS=1
	--env CTR_DEBIAN_BOOT_TIMEOUT=300 --env CTR_DEBIAN_STOP_LIMIT_MS=30000 --env CTR_DEBIAN_CREATE_LIMIT_MS=60000
	--env CTR_TIMEOUT=300)
rc=0
cd "$BUILDDIR" || exit 1
# The VM's /var is an overlay, which cannot hold a container's upper
# layer: the store goes to a tmpfs over /var/lib (the VM's own).
# shellcheck disable=SC2016 # $0 is for the VM's sh
"$VM_DIR/run-vm" --timeout 840 "${env[@]}" -- /bin/sh -c \
	'mount -t tmpfs -o mode=755 ctr-vm-lib /var/lib && exec "$0"' \
	"$TOP/tests/system/debian.sh" || rc=$?
vm_exit $rc
