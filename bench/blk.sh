#!/usr/bin/env bash
# Block benchmark: virtio-blk on a raw file, jvmm against QEMU (-M q35, accel=kvm) with one
# shared command line (the disk on an iothread, behind a pcie-root-port), alternating boots.
# In the guest, guest/blkbench.c (O_DIRECT, one request at a time): sequential read and write
# with 1 MiB requests, random 4 KiB reads. Prints each boot's figures, then the medians per VMM
# and the jvmm/QEMU ratios.
#
#   bench/blk.sh [--runs N] [--seconds S] [--disk-mib N] [--smp N]
#                (default: 3 boots per VMM, 5 s per test, a 512 MiB disk, 1 vCPU)
#
# Runs in bin/jvmm-sandbox unless /dev/kvm here is hardware KVM (bench/in-sandbox.sh). Build first:
#   mvn -pl vmm-core -am package -DskipTests
exec "$(dirname "$0")/in-sandbox.sh" blk.py "$@"
