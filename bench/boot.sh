#!/usr/bin/env bash
# Boot benchmark: jvmm against QEMU (-M q35, accel=kvm) on the same guest image and VM shape,
# alternating, several runs each. Prints per VMM the median time from process start to the
# guest's JVMM-GUEST-START marker and to exit after its power-off, peak RSS and RSS beyond the
# guest RAM the guest touched, then the jvmm/QEMU ratios; beside the medians, the fastest run of
# each and the median of the ratios within each pair, which load from elsewhere sways less. A
# run that fails, or has not ended after --run-limit seconds (300), is counted and left out, and
# the script then exits with status 3. --exit-runs N boots N more of each under a tracefs
# histogram of KVM's exits by reason (root; in the sandbox, the outer KVM's, each one costly
# there because it is emulated): a figure that, unlike the clock, load from elsewhere leaves alone.
#
#   bench/boot.sh [--runs N] [--rss-runs N] [--exit-runs N] [--run-limit S] [--smp N] [--mem SIZE] [--cpu host|max]
#       default: 5 timed runs and 2 more that sample RSS (reading /proc/PID/smaps costs CPU beside
#       the VMM, so timed runs do not), 1 vCPU, 256M, -cpu host for both (QEMU's guest then sees
#       the CPU that jvmm's always does)
#
# Runs in bin/jvmm-sandbox unless /dev/kvm here is hardware KVM (bench/in-sandbox.sh). Build first:
#   mvn -pl vmm-core -am package -DskipTests
exec "$(dirname "$0")/in-sandbox.sh" boot.py "$@"
