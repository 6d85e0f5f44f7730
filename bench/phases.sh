#!/usr/bin/env bash
# Where a boot's time goes, jvmm against QEMU on the same guest and command line, alternating:
# per run and as medians, seconds after spawn to the vCPU's first KVM_RUN (jvmm's JVMM_TIMING),
# to the guest kernel's clock zero (the guest prints /proc/uptime through jvmm.cmd; its wall
# time less that uptime), to the start marker and to the exit. Zero to the marker is the guest
# kernel's own boot; before zero, the VMM's start, QEMU's firmware and the kernel's decompressor.
#
#   bench/phases.sh [--runs N] [--cpu host|max] [--run-limit S]      default: 4 runs, -cpu host
#
# Runs in bin/jvmm-sandbox unless /dev/kvm here is hardware KVM (bench/in-sandbox.sh). Build first:
#   mvn -pl vmm-core -am package -DskipTests
exec "$(dirname "$0")/in-sandbox.sh" phases.py "$@"
