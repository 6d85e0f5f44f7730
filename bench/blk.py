#!/usr/bin/env python3
"""Runs guest/blkbench under jvmm and QEMU with one shared command line; see blk.sh."""
import os
import re
import statistics
import subprocess

import guest

TESTS = (("seqread", 1 << 20, "mbps"), ("seqwrite", 1 << 20, "mbps"), ("randread", 4096, "iops"))


def boot(vmm, image, disk, seconds, smp):
    script = "D=/dev/$(ls /sys/bus/pci/devices/0000:01:00.0/virtio*/block)\n" + "".join(
        f"blkbench {mode} $D {bs} {seconds}\n" for mode, bs, _ in TESTS)
    argv = [vmm] + guest.vm(image, mem="512M", smp=smp, cpu="host", cmd=script, extra=[
        "-object", "iothread,id=iothread1",
        "-device", "pcie-root-port,id=pcie.1,port=0x1,bus=pcie.0,addr=0x1,chassis=1",
        "-drive", f"file={disk},id=drive0,format=raw,if=none",
        "-device", "virtio-blk-pci,drive=drive0,id=vda,bus=pcie.1,addr=0x0,iothread=iothread1"])
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=120 + 10 * seconds).stdout
    except subprocess.TimeoutExpired as e:
        tail = (e.stdout or b"")[-3000:]
        raise SystemExit(f"{vmm} did not finish: {tail!r}")
    results = {}
    for mode, _, metric in TESTS:
        m = re.search(rf"BLKBENCH mode={mode} .*{metric}=([\d.]+)", out)
        if not m:
            raise SystemExit(f"{vmm}: no {mode} result:\n{out[-3000:]}")
        results[mode] = float(m.group(1))
    return results


def main():
    ap = guest.options(runs=3)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--disk-mib", type=int, default=512)
    ap.add_argument("--smp", type=int, default=1)
    a = ap.parse_args()
    disk = "/tmp/jvmm-blk-bench.raw"
    with open(disk, "wb") as f:
        f.write(os.urandom(1 << 20) * a.disk_mib)  # allocated, so reads hit data, not holes
    vmms = {"jvmm": a.jvmm, "qemu": guest.QEMU}
    runs = {name: [] for name in vmms}
    for i in range(a.runs):
        for name, binary in vmms.items():
            r = boot(binary, a.image, disk, a.seconds, a.smp)
            runs[name].append(r)
            print(f"run {i + 1} {name:5} " + "  ".join(f"{mode} {r[mode]:.1f}" for mode, _, _ in TESTS), flush=True)
    print()
    print(f"{'test':28} {'jvmm':>10} {'QEMU':>10} {'jvmm/QEMU':>10}")
    for mode, bs, metric in TESTS:
        j = statistics.median(r[mode] for r in runs["jvmm"])
        q = statistics.median(r[mode] for r in runs["qemu"])
        unit = "MB/s" if metric == "mbps" else "IOPS"
        print(f"{mode + ' ' + str(bs // 1024) + ' KiB (' + unit + ')':28} {j:10.1f} {q:10.1f} {j / q:10.2f}")


if __name__ == "__main__":
    main()
