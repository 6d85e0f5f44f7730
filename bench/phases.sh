#!/usr/bin/env bash
# Where a boot's time goes, jvmm against QEMU on the same guest and command line, alternating:
# per run and as medians, seconds after spawn to the vCPU's first KVM_RUN (jvmm's JVMM_TIMING),
# to the guest kernel's clock zero (the guest prints /proc/uptime through jvmm.cmd; its wall
# time less that uptime), to the start marker and to the exit. Zero to the marker is the guest
# kernel's own boot; before zero, the VMM's start, QEMU's firmware and the kernel's decompressor.
#
#   bench/phases.sh [--runs N] [--cpu host|max] [--run-limit S]      default: 4 runs, -cpu host
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
exec python3 "$here/bench/phases.py" --jvmm "$here/bin/jvmm" --image "$image" "$@"
