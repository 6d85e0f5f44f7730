#!/usr/bin/env python3
"""What jvmm's confinement costs at start: the same guest booted with -sandbox on (the system call
filter and Landlock, the default) and -sandbox off, alternating, in one sandbox run. Prints, per
run and as medians, seconds from spawn to the guest's ready marker, and the milliseconds jvmm
spent installing its filter (JVMM_TIMING: from "machine built" to "confined");
the ratio of the medians, on to off, is the figure.

    bench/confinement.sh [--runs N]
"""
import os
import re
import statistics
import subprocess
import time

import guest


def boot(argv):
    env = dict(os.environ, JVMM_TIMING="1")
    start = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    ready, marks = None, {}
    for raw in p.stdout:
        line = raw.decode(errors="replace")
        if ready is None and "JVMM-GUEST-READY" in line:
            ready = time.monotonic() - start
        m = re.match(r"jvmm-timing: (\d+) ms (.*)", line.strip())
        if m:
            marks[m.group(2)] = int(m.group(1))
    p.wait(timeout=600)
    confining = (marks.get("confined", 0) - marks.get("machine built", 0)) if "confined" in marks else 0
    return ready, confining


def main():
    a = guest.options(runs=5, description=__doc__).parse_args()
    base = [a.jvmm] + guest.vm(a.image)
    results = {"on": [], "off": []}
    for i in range(a.runs):
        for mode in ("on", "off"):
            ready, filter_ms = boot(base + ["-sandbox", mode])
            if ready is None:
                print(f"run {i + 1} -sandbox {mode}: no ready marker")
                continue
            results[mode].append(ready)
            print(f"run {i + 1} -sandbox {mode}: ready at {ready:.2f} s, filter installed in {filter_ms} ms")
    on, off = statistics.median(results["on"]), statistics.median(results["off"])
    print(f"median to the ready marker: -sandbox on {on:.2f} s, off {off:.2f} s, ratio {on / off:.3f}"
          f" ({len(results['on'])} and {len(results['off'])} runs)")


if __name__ == "__main__":
    main()
