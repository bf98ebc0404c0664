#!/bin/bash
# vm lane: the cgroup tests on a pure cgroup v2 host. Boots Debian's kernel
# under qemu (tests/vm/run-vm) and runs tests/vm/in-vm-tests there: the root
# cgroup unit test, the integration limits and pause files against the
# ctr-oci built here, and the leak check. Their TAP is this file's TAP.
# shellcheck source=lib-vm.sh
. "$(dirname "$0")/lib-vm.sh"

need_vm
[ -x "$BUILDDIR/tests/unit/test_cgroup_root" ] ||
	skip_all "$BUILDDIR/tests/unit/test_cgroup_root is not built (run make check)"

env=(--env "BUILDDIR=$BUILDDIR")
[ -n "${RUNTIME:-}" ] && env+=(--env "RUNTIME=$RUNTIME")
[ -n "${CTR_VM_TESTS:-}" ] && env+=(--env "CTR_VM_TESTS=$CTR_VM_TESTS")
rc=0
# The VM starts the command in this directory; the caller's may be one the
# VM does not show (below /run).
cd "$BUILDDIR" || exit 1
"$VM_DIR/run-vm" "${env[@]}" -- "$VM_DIR/in-vm-tests" || rc=$?
vm_exit $rc
