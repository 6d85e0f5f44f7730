#!/usr/bin/env python3
"""Guest-to-host TCP throughput over a tap under jvmm and QEMU; see net.sh."""
import socket
import statistics
import subprocess
import threading
import time

import guest

HOST, GUEST, PORT, TAP = "192.168.77.1", "192.168.77.2", 5201, "jvmmbench0"


class Receiver:
    """Accepts streams one after another; records (bytes, seconds from accept to EOF) for each."""

    def __init__(self):
        self.streams = []
        self.lock = threading.Condition()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((HOST, PORT))
        s.listen(4)
        threading.Thread(target=self.serve, args=(s,), daemon=True).start()

    def serve(self, s):
        buf = bytearray(1 << 20)
        while True:
            c, _ = s.accept()
            t0, n = time.monotonic(), 0
            while True:
                r = c.recv_into(buf)
                if r == 0:
                    break
                n += r
            seconds = time.monotonic() - t0
            c.sendall(f"{n} {seconds:.6f}\n".encode())
            c.close()
            with self.lock:
                self.streams.append((n, seconds))
                self.lock.notify_all()

    def take(self):
        with self.lock:
            out, self.streams = self.streams, []
            return out


def guest_script(transfers, mib):
    return f"""
ip link set eth0 up && ip addr add {GUEST}/24 dev eth0
ping -c 1 -W 5 {HOST} >/dev/null || ping -c 3 -W 5 {HOST} >/dev/null
i=0; while [ $i -lt {transfers} ]; do
  echo "BENCH-TRANSFER $(dd if=/dev/zero bs=65536 count={mib * 16} 2>/dev/null | nc {HOST} {PORT})"
  i=$((i+1))
done
echo "BENCH-GUEST features=$(cat /sys/bus/virtio/devices/virtio*/features | head -1) tx_packets=$(cat /sys/class/net/eth0/statistics/tx_packets) tx_bytes=$(cat /sys/class/net/eth0/statistics/tx_bytes) rx_packets=$(cat /sys/class/net/eth0/statistics/rx_packets)"
echo "BENCH-PIPE $( (time -p sh -c 'dd if=/dev/zero bs=65536 count={mib * 16} 2>/dev/null | cat > /dev/null') 2>&1 | tr '\n' ' ')"
"""


def run_once(vmm, argv, receiver, verbose=False):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                          timeout=900)
    out = proc.stdout.decode(errors="replace")
    streams = receiver.take()
    if proc.returncode != 0 or not streams:
        raise SystemExit(f"{vmm} failed (exit {proc.returncode}); output ends:\n{out[-3000:]}")
    if verbose:
        print("\n".join(l for l in out.splitlines() if l.startswith("BENCH-")), flush=True)
    pipe = [float(l.split()[2]) for l in out.splitlines() if l.startswith("BENCH-PIPE real ")]
    return [n / s / 1e6 for n, s in streams], pipe


def main():
    p = guest.options(runs=3)
    p.add_argument("--transfers", type=int, default=2)
    p.add_argument("--mib", type=int, default=32)
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--mem", default="512M")
    p.add_argument("--qemu-cpu", help="QEMU's -cpu model (default: QEMU's own default)")
    p.add_argument("--verbose", action="store_true", help="print the guest's features, packet counts and pipe speed")
    a = p.parse_args()
    for cmd in (["ip", "tuntap", "add", TAP, "mode", "tap"], ["ip", "addr", "add", f"{HOST}/24", "dev", TAP],
                ["ip", "link", "set", TAP, "up"]):
        subprocess.run(cmd, check=True)
    receiver = Receiver()
    shared = guest.vm(a.image, mem=a.mem, smp=a.smp, cmd=guest_script(a.transfers, a.mib),
                      extra=["-device", "pcie-root-port,id=pcie.1,port=0x1,bus=pcie.0,addr=0x1,chassis=1"])

    def net(vhost, extra=""):
        return ["-netdev", f"tap,id=net0,ifname={TAP},script=no,downscript=no,vhost={vhost}",
                "-device", f"virtio-net-pci,netdev=net0,id=net0,mac=52:54:00:6a:76:01,bus=pcie.1,addr=0x0{extra}"]

    results, pipes = {}, {}
    for i in range(a.runs):
        for vhost in ("off", "on"):
            for vmm in ("jvmm", "qemu"):
                argv = ([a.jvmm] + shared + net(vhost)) if vmm == "jvmm" \
                    else ([guest.QEMU] + (["-cpu", a.qemu_cpu] if a.qemu_cpu else []) + shared
                          + net(vhost, ",romfile="))
                rates, pipe = run_once(vmm, argv, receiver, a.verbose)
                results.setdefault((vmm, vhost), []).extend(rates)
                pipes.setdefault(vmm, []).extend((a.mib / s) * (1 << 20) / 1e6 for s in pipe if s > 0)
                print(f"run {i + 1} {vmm:5s} vhost={vhost:3s} MB/s: " + " ".join(f"{r:8.1f}" for r in rates), flush=True)
    print()
    print(f"guest: {a.image}  shape: -smp {a.smp} -m {a.mem}  {a.runs} boots x {a.transfers} transfers of "
          f"{a.mib} MiB per VMM and mode, alternating; medians of all transfers")
    print(f"{'guest-to-host TCP (MB/s)':26s}{'jvmm':>10s}{'qemu':>10s}{'jvmm/qemu':>11s}")
    for vhost in ("off", "on"):
        j, q = statistics.median(results[("jvmm", vhost)]), statistics.median(results[("qemu", vhost)])
        print(f"{'vhost=' + vhost:26s}{j:10.1f}{q:10.1f}{j / q:11.2f}")
    if pipes.get("jvmm") and pipes.get("qemu"):
        # No network: how fast the guest's own CPU moves the same bytes through a pipe.
        j, q = statistics.median(pipes["jvmm"]), statistics.median(pipes["qemu"])
        print(f"{'guest dd|cat, no net':26s}{j:10.1f}{q:10.1f}{j / q:11.2f}")


if __name__ == "__main__":
    main()
