#!/usr/bin/env python3
"""jvmm's start-up, build against build: seconds from spawn to the QMP greeting of a VM started
paused (-S), which jvmm sends once its vCPUs are started, with nothing traced. Each LAUNCHER is
a bin/jvmm of a build (a copy of a checkout's bin/ and vmm-core/target/ will do), run alternately.

  python3 bench/startup.py --image IMAGE [--runs N] LAUNCHER...
  bin/jvmm-sandbox -- python3 bench/startup.py --image "$(bin/jvmm-guest-image --print)" ...

The image is bin/jvmm-guest-image's directory; in the nested sandbox the JVM's start is
emulated and takes seconds, so compare builds there and on the host.
"""
import argparse
import os
import socket
import statistics
import subprocess
import tempfile
import time

import guest


def to_greeting(launcher, image, limit):
    with tempfile.TemporaryDirectory() as d:
        sock = os.path.join(d, "qmp.sock")
        argv = [launcher, "-S"] + guest.vm(image, extra=["-qmp", f"unix:{sock},server,nowait"])
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        try:
            while time.monotonic() - t0 < limit and p.poll() is None:
                try:
                    with socket.socket(socket.AF_UNIX) as s:
                        s.connect(sock)
                        if b"QMP" in s.recv(4096):
                            return time.monotonic() - t0
                except OSError:
                    time.sleep(0.005)
            raise SystemExit(f"{launcher}: no QMP greeting (exit status {p.poll()})")
        finally:
            p.kill()
            p.wait()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--image", required=True)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--run-limit", type=int, default=120)
    p.add_argument("launchers", nargs="+")
    a = p.parse_args()
    times = {launcher: [] for launcher in a.launchers}
    for _ in range(a.runs):
        for launcher in a.launchers:
            times[launcher].append(to_greeting(launcher, a.image, a.run_limit))
    for launcher, t in times.items():
        print(f"{launcher}: median {statistics.median(t):.3f} s, runs {sorted(round(x, 3) for x in t)}")


if __name__ == "__main__":
    main()
