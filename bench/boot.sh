#!/usr/bin/env bash
# Boot benchmark: jvmm against QEMU (-M q35, accel=kvm) on the same guest image and VM shape,
# alternating, several runs each. Prints per VMM the median time from process start to the
# guest's JVMM-GUEST-START marker and to exit after its power-off, peak RSS and RSS beyond the
# guest RAM the guest touched, then the jvmm/QEMU ratios.
#
#   bench/boot.sh [--runs N] [--rss-runs N] [--smp N] [--mem SIZE] [--cpu host|max]
#       default: 5 timed runs and 2 more that sample RSS (reading /proc/PID/smaps costs CPU beside
#       the VMM, so timed runs do not), 1 vCPU, 256M, -cpu host for both (QEMU's guest then sees
#       the CPU that jvmm's always does)
#
# Runs itself in bin/jvmm-sandbox unless /dev/kvm here is hardware KVM. Build first:
#   mvn -pl vmm-core -am package -DskipTests
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z ${JVMM_BENCH_INSIDE:-} ]]; then
  export JVMM_BENCH_INSIDE=1
  exec "$here/bin/jvmm-sandbox" --cpus 2 --mem 4G --timeout 3000 -- "$0" "$@"
fi
image=$("$here/bin/jvmm-guest-image" --print)
exec python3 "$here/bench/boot.py" --jvmm "$here/bin/jvmm" --image "$image" "$@"
