#!/usr/bin/env python3
"""Where a boot's time goes, under jvmm and QEMU with one shared command line; see phases.sh."""
import os
import re
import statistics
import subprocess
import time

import guest

UPTIME = re.compile(rb"^(\d+\.\d+) \d+\.\d+$")


def boot(argv, env, limit):
    """{phase: seconds after spawn} of one boot: the vCPU's first KVM_RUN (jvmm's JVMM_TIMING),
    the guest kernel's clock zero (the wall clock when the guest printed /proc/uptime, less that
    uptime), the start marker and the exit."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    marks, buf = {}, b""
    try:
        for chunk in iter(lambda: p.stdout.read1(4096), b""):
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line, now = line.strip(), time.monotonic() - t0
                if b"entering KVM_RUN" in line:
                    marks.setdefault("first KVM_RUN", now)
                elif b"JVMM-GUEST-START" in line:
                    marks.setdefault("start marker", now)
                elif "start marker" in marks and (m := UPTIME.match(line)):
                    marks.setdefault("kernel clock zero", now - float(m.group(1)))
            if time.monotonic() - t0 > limit:
                raise SystemExit(f"{argv[0]}: no exit after {limit} s")
    finally:
        p.kill()
        code = p.wait()
    marks["exit"] = time.monotonic() - t0
    if "kernel clock zero" not in marks:
        raise SystemExit(f"{argv[0]}: exit {code} without the guest's uptime; marks {marks}")
    return marks


def main():
    p = guest.options(runs=4)
    p.add_argument("--cpu", default="host")
    p.add_argument("--run-limit", type=int, default=300)
    a = p.parse_args()
    vmms = guest.both(a.jvmm, guest.vm(a.image, cpu=a.cpu, cmd="cat /proc/uptime"))
    env = dict(os.environ, JVMM_TIMING="1")
    phases = ["first KVM_RUN", "kernel clock zero", "start marker", "exit"]
    results = {name: [] for name in vmms}
    for i in range(a.runs):
        for name, argv in vmms.items():
            marks = boot(argv, env, a.run_limit)
            results[name].append(marks)
            print(f"run {i + 1} {name:4s} " + "  ".join(f"{k} {marks[k]:6.2f}" for k in phases if k in marks), flush=True)
    print(f"\nseconds after spawn, medians of {a.runs} alternating runs (-smp 1 -m 256M -cpu {a.cpu})")
    print(f"{'':24s}" + "".join(f"{name:>10s}" for name in vmms))
    for k in phases + ["zero to start marker"]:
        row = f"{k:24s}"
        for name in vmms:
            if k == "zero to start marker":
                values = [m["start marker"] - m["kernel clock zero"] for m in results[name]]
            else:
                values = [m[k] for m in results[name] if k in m]
            row += f"{statistics.median(values):10.2f}" if values else f"{'-':>10s}"
        print(row)


if __name__ == "__main__":
    main()
