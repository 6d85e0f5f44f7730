#!/usr/bin/env bash
# Network benchmark: guest-to-host TCP throughput over a tap, jvmm against QEMU (-M q35,
# accel=kvm) on the same guest image, the same tap and the same virtio-net-pci placement, with
# vhost=off (each VMM's user-space datapath) and vhost=on (the kernel's vhost-net), alternating.
# In the guest, busybox `dd if=/dev/zero bs=64k | nc HOST PORT` (the image has no iperf); on
# the host side of the tap a Python receiver times each stream from accept to EOF. Prints each
# transfer, then the median MB/s per VMM and mode and the jvmm/QEMU ratios, and for reference
# the guest's own dd|cat pipe speed with no network at all: in the nested sandbox the guest's
# CPU (its CPUID as each VMM sets it up, emulated by TCG underneath) bounds these figures, so
# --qemu-cpu host gives QEMU the host's CPU model too when the datapaths alone are compared.
#
#   bench/net.sh [--runs N] [--transfers N] [--mib N] [--smp N] [--mem SIZE] [--qemu-cpu MODEL] [--verbose]
#                (default: 3 boots per VMM and mode, 2 transfers of 32 MiB per boot, 1 vCPU, 512M)
#
# Runs in bin/jvmm-sandbox unless /dev/kvm here is hardware KVM (bench/in-sandbox.sh); it needs
# root there, for the tap. Build first: mvn -pl vmm-core -am package -DskipTests
exec "$(dirname "$0")/in-sandbox.sh" net.py "$@"
