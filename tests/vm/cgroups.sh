#!/bin/bash
# vm lane: the cgroup tests on a pure cgroup v2 host. Boots Debian's kernel
# under qemu (tests/vm/run-vm) and runs tests/vm/in-vm-tests there: the root
# cgroup unit test, the integration limits and pause files against the
# ctr-oci built here, and the leak check. Their TAP is this file's TAP.
set -u
VM_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$VM_DIR/../.." && pwd)
BUILDDIR=${BUILDDIR:-$TOP}
export BUILDDIR

skip_all()
{
	echo "1..0 # SKIP $*"
	exit 0
}

[ "$(id -u)" = 0 ] || skip_all "needs root (qemu shares the host's / with the VM)"
why=$("$VM_DIR/run-vm" --check) || skip_all "$why"
[ -x "$BUILDDIR/tests/unit/test_cgroup_root" ] ||
	skip_all "$BUILDDIR/tests/unit/test_cgroup_root is not built (run make check)"

echo "# vm: $why"
env=(--env "BUILDDIR=$BUILDDIR")
[ -n "${RUNTIME:-}" ] && env+=(--env "RUNTIME=$RUNTIME")
[ -n "${CTR_VM_TESTS:-}" ] && env+=(--env "CTR_VM_TESTS=$CTR_VM_TESTS")
rc=0
# The VM starts the command in this directory; the caller's may be one the
# VM does not show (below /run).
cd "$BUILDDIR" || exit 1
"$VM_DIR/run-vm" "${env[@]}" -- "$VM_DIR/in-vm-tests" || rc=$?
if [ $rc = 125 ]; then
	echo "not ok - the VM did not run the tests (see the run-vm lines above)"
	exit 1
fi
exit $rc
