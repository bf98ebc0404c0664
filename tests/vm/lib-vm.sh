# shellcheck shell=bash
# tests/vm/lib-vm.sh - what the vm lane's files share (sourced first):
#   VM_DIR, TOP, BUILDDIR (exported)
#   skip_all REASON   the whole file skipped, with why
#   need_vm           skip_all unless root and tests/vm/run-vm can boot here
#   vm_exit RC        exit with run-vm's status; 125 (the VM did not run
#                     the command) becomes a failing TAP line
set -u
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$VM_DIR/../.." && pwd)
BUILDDIR=${BUILDDIR:-$TOP}
export BUILDDIR

skip_all()
{
	echo "1..0 # SKIP $*"
	exit 0
}

need_vm()
{
	local why
	[ "$(id -u)" = 0 ] || skip_all "needs root (qemu shares the host's / with the VM)"
	why=$("$VM_DIR/run-vm" --check) || skip_all "$why"
	echo "# vm: $why"
}

vm_exit()
{
	if [ "$1" = 125 ]; then
		echo "not ok - the VM did not run the tests (see the run-vm lines above)"
		exit 1
	fi
	exit "$1"
}
