#!/usr/bin/env python3
"""Times guest boots under jvmm and QEMU with one shared command line; see boot.sh."""
import os
import statistics
import subprocess
import sys
import threading
import time

import guest

START = b"JVMM-GUEST-START"


class RunFailed(Exception):
    pass


class ExitHistogram:
    """Counts every exit of this host's KVM by reason while active: a tracefs histogram on the
    kvm_exit event, kept in the kernel, so nothing is lost and no trace is copied out. Counts all
    of KVM's exits, those it handles itself too (interrupts, page faults, MSRs), which is what
    nested virtualisation pays for most. Needs root; one VM at a time."""
    EVENT = "/sys/kernel/tracing/events/kvm/kvm_exit"
    TRIGGER = "hist:keys=exit_reason:size=256"
    SVM = {0x0: "CR0 read", 0x4: "CR4 read", 0x10: "CR0 write", 0x14: "CR4 write", 0x60: "interrupt",
           0x61: "NMI", 0x64: "interrupt window", 0x65: "CR0 selective write", 0x6e: "RDTSC", 0x72: "CPUID",
           0x78: "HLT", 0x7b: "port I/O", 0x7c: "MSR", 0x7f: "shutdown", 0x81: "VMMCALL", 0x89: "WBINVD",
           0x8d: "XSETBV", 0x400: "nested page fault"}
    VMX = {0: "exception or NMI", 1: "interrupt", 7: "interrupt window", 10: "CPUID", 12: "HLT", 28: "CR access",
           30: "port I/O", 31: "MSR read", 32: "MSR write", 40: "PAUSE", 48: "EPT violation",
           49: "EPT misconfiguration", 52: "preemption timer", 54: "WBINVD", 55: "XSETBV"}

    def __init__(self):
        if not os.path.isdir(self.EVENT):
            subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"], stderr=subprocess.DEVNULL)
        if not os.access(f"{self.EVENT}/trigger", os.W_OK):
            raise SystemExit(f"--exit-runs needs root and tracefs with KVM's events ({self.EVENT})")
        self.names = self.SVM if os.path.exists("/sys/module/kvm_amd") else self.VMX

    def __enter__(self):
        self._trigger(self.TRIGGER)
        return self

    def __exit__(self, *exc):
        self._trigger("!" + self.TRIGGER)

    def _trigger(self, text):
        with open(f"{self.EVENT}/trigger", "w") as f:
            f.write(text)

    def counts(self):
        """{reason name: exits} since __enter__."""
        counts = {}
        with open(f"{self.EVENT}/hist") as f:
            for line in f:
                if line.startswith("{ exit_reason:"):
                    reason = int(line.split(":")[1].split("}")[0])
                    counts[self.names.get(reason, hex(reason))] = int(line.rsplit(":", 1)[1])
        return counts


def guest_ram_and_total_rss(pid, ram_bytes):
    """(RSS of the mapping that holds guest RAM, total RSS) in KiB, from /proc/PID/smaps."""
    guest, total, size, rss = 0, 0, 0, 0
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                if line[0] in "0123456789abcdef" and "-" in line.split()[0]:
                    if size * 1024 >= ram_bytes * 0.75:
                        guest = max(guest, rss)
                    lo, hi = line.split()[0].split("-")
                    size, rss = (int(hi, 16) - int(lo, 16)) // 1024, 0
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
                    total += rss
        if size * 1024 >= ram_bytes * 0.75:
            guest = max(guest, rss)
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return guest, total


def run_once(argv, ram_bytes, sample_rss, limit):
    """(to start marker, to exit, peak RSS, RSS beyond guest RAM or None). Reading smaps costs CPU
    beside the VMM (a JVM has many mappings), so timed runs do not sample. A run that fails or
    has not ended after limit seconds (then it is killed) raises RunFailed."""
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    watchdog = threading.Timer(limit, proc.kill)
    watchdog.start()
    marks = {}
    peak = {"total": 0, "overhead": 0}
    done = threading.Event()

    def sample():
        while not done.is_set():
            r = guest_ram_and_total_rss(proc.pid, ram_bytes)
            if r:
                guest, total = r
                peak["total"] = max(peak["total"], total)
                peak["overhead"] = max(peak["overhead"], total - guest)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_rss:
        sampler.start()
    tail = b""
    for chunk in iter(lambda: proc.stdout.read1(4096), b""):
        tail = (tail + chunk)[-4096:]
        if "start" not in marks and START in tail:
            marks["start"] = time.monotonic() - t0
    _, status, usage = os.wait4(proc.pid, 0)
    marks["exit"] = time.monotonic() - t0
    done.set()
    watchdog.cancel()
    if sample_rss:
        sampler.join()
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    output = tail.decode(errors="replace")[-1500:]
    if marks["exit"] >= limit:
        raise RunFailed(f"still running after {limit} s, killed; output ends:\n{output}")
    if code != 0 or "start" not in marks:
        raise RunFailed(f"exit {code}{'' if 'start' in marks else ' before the start marker'}; output ends:\n{output}")
    return marks["start"], marks["exit"], usage.ru_maxrss, peak["overhead"] if sample_rss else None


def main():
    p = guest.options(runs=5)
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--mem", default="256M")
    p.add_argument("--rss-runs", type=int, default=2,
                   help="runs that sample /proc/PID/smaps for RSS beyond guest RAM (not timed)")
    p.add_argument("--exit-runs", type=int, default=0,
                   help="runs more that count this host's KVM exits by reason (root; not timed)")
    p.add_argument("--run-limit", type=int, default=300,
                   help="seconds after which a run that has not ended is killed and counted as failed")
    p.add_argument("--cpu", default="host",
                   help="-cpu for both; host (default) gives QEMU's guest the CPU jvmm's always sees")
    a = p.parse_args()
    unit = {"M": 1 << 20, "G": 1 << 30}[a.mem[-1]]
    ram = int(a.mem[:-1]) * unit
    vmms = guest.both(a.jvmm, guest.vm(a.image, mem=a.mem, smp=a.smp, cpu=a.cpu))
    timed = {name: [] for name in vmms}
    sampled = {name: [] for name in vmms}
    failed = {name: 0 for name in vmms}
    exits = {name: [] for name in vmms}
    histogram = ExitHistogram() if a.exit_runs else None
    for i in range(a.runs + a.rss_runs + a.exit_runs):
        sample, counting = a.runs <= i < a.runs + a.rss_runs, i >= a.runs + a.rss_runs
        for name, argv in vmms.items():
            try:
                if counting:
                    with histogram:
                        run_once(argv, ram, False, a.run_limit)
                        exits[name].append(histogram.counts())
                    print(f"exits {i + 1} {name:5s} {sum(exits[name][-1].values())}: "
                          + ", ".join(f"{k} {v}" for k, v in sorted(exits[name][-1].items(), key=lambda kv: -kv[1])[:6]),
                          flush=True)
                    continue
                r = run_once(argv, ram, sample, a.run_limit)
            except RunFailed as e:
                failed[name] += 1
                if not counting:
                    (sampled if sample else timed)[name].append(None)
                print(f"run {i + 1} {name:5s} FAILED: {e}", flush=True)
                continue
            (sampled if sample else timed)[name].append(r)
            beyond = f"  beyond guest RAM {r[3] / 1024:6.1f} MiB" if sample else ""
            print(f"{'rss' if sample else 'run'} {i + 1} {name:5s} start {r[0]:7.3f} s  exit {r[1]:7.3f} s  "
                  f"peak RSS {r[2] / 1024:7.1f} MiB{beyond}", flush=True)
    pairs = list(zip(timed["jvmm"], timed["qemu"]))
    timed = {n: [x for x in timed[n] if x] for n in vmms}
    sampled = {n: [x for x in sampled[n] if x] for n in vmms}
    if not all(timed.values()):
        raise SystemExit("no timed run of " + " or ".join(n for n in vmms if not timed[n]) + " succeeded")
    med = {n: [statistics.median(x[k] for x in timed[n]) for k in range(2)]
           + [statistics.median(x[k] for x in timed[n] + sampled[n]) for k in (2,)]
           + [statistics.median(x[3] for x in sampled[n]) if sampled[n] else float("nan")] for n in vmms}
    print()
    print(f"guest: {a.image}  shape: -smp {a.smp} -m {a.mem} -cpu {a.cpu}  runs: {a.runs} timed and {a.rss_runs} "
          f"sampling RSS each, alternating; medians")
    print(f"{'':22s}{'jvmm':>12s}{'qemu':>12s}{'jvmm/qemu':>12s}")
    rows = [("to start marker (s)", 0, 1), ("to exit (s)", 1, 1), ("peak RSS (MiB)", 2, 1024),
            ("RSS beyond guest (MiB)", 3, 1024)]
    for label, k, scale in rows:
        j, q = med["jvmm"][k] / scale, med["qemu"][k] / scale
        print(f"{label:22s}{j:12.2f}{q:12.2f}{(j / q if q else float('nan')):12.2f}")
    # On a shared machine single runs scatter widely; the fastest run of each and the median of
    # the ratios within each alternating pair are less swayed by load from elsewhere.
    for label, k in (("to start marker", 0), ("to exit", 1)):
        j, q = (min(x[k] for x in timed[n]) for n in ("jvmm", "qemu"))
        ratios = [jr[k] / qr[k] for jr, qr in pairs if jr and qr]
        ratio = statistics.median(ratios) if ratios else float("nan")
        print(f"{label}: fastest run {j:.2f} / {q:.2f} s ({j / q:.2f}), median of the pairs' ratios {ratio:.2f}")
    if all(exits.values()):
        print("exits of this host's KVM per boot, medians:")
        reasons = sorted({k for n in vmms for c in exits[n] for k in c},
                         key=lambda k: -statistics.median(c.get(k, 0) for c in exits["qemu"] + exits["jvmm"]))
        for label, pick in [("all", lambda c: sum(c.values()))] + [(k, lambda c, k=k: c.get(k, 0)) for k in reasons[:8]]:
            j, q = (statistics.median(pick(c) for c in exits[n]) for n in ("jvmm", "qemu"))
            print(f"  {label:22s}{j:12.0f}{q:12.0f}{(j / q if q else float('nan')):12.2f}")
    if any(failed.values()):
        print("FAILED runs, left out above: " + ", ".join(f"{n} {c}" for n, c in failed.items()))
        sys.exit(3)


if __name__ == "__main__":
    main()
