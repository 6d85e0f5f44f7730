#!/usr/bin/env python3
"""All the seed's devices at the seed's addresses, judged by the guest's own drivers.

Runs in the KVM sandbox: boots the test guest on jvmm with pcie-root-ports and, at the seed's
addresses, virtio-blk (iothread, iops limit), virtio-net on a tap, virtio-serial with a
virtconsole on a socket, virtio-balloon, virtio-rng (max-bytes/period) and vhost-vsock at
00:06.0, plus a read-only disk. (Traffic over the network and vsock: net_vsock_test.py.) Then, through a shell
on the guest's hvc0 and over QMP, checks:
  the PCI tree (each device behind its root port, bound to its driver);
  hvc0 carries a shell session both ways;
  a pattern written and synced to the disk is in the host file, and is read back after a reboot;
  the read-only disk refuses writes; the disk is served on its iothread; the IOPS and entropy
  limits hold (never faster than asked);
  balloon to half the RAM lowers the guest's MemTotal, letting it out raises it again;
  QMP stop stops the guest's clock (its uptime does not count the pause);
  a guest that programs the entropy device through /dev/mem with a descriptor loop and a buffer
  outside its RAM stops only that device (NEEDS_RESET): the VMM and the disk carry on.
Prints DEVICES-TEST-PASSED and the measured rates; exits 1 with the reason otherwise.

    devices_test.py --jvmm bin/jvmm --image DIR --work DIR
"""
import argparse
import base64
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

RAM_MIB = 256
IOPS = 200
RNG_BYTES, RNG_PERIOD_MS = 1234, 1000
PATTERN = "JVMM-PATTERN-0001"

GUEST_SCRIPT = r"""
ln -s /dev/$(ls /sys/bus/pci/devices/0000:01:00.0/virtio*/block) /dev/rw
ln -s /dev/$(ls /sys/bus/pci/devices/0000:00:09.0/virtio*/block) /dev/ro
setsid sh -c 'exec sh </dev/hvc0 >/dev/hvc0 2>&1' &
[ "$(head -c 17 /dev/rw)" = "%s" ] && echo DISK-READBACK-OK
echo GUEST-SCRIPT-WAITING
sleep 100000
""" % PATTERN


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Serial:
    """jvmm's stdout (COM1), collected by a thread."""

    def __init__(self, proc):
        self.text = ""
        self.lock = threading.Lock()
        threading.Thread(target=self._pump, args=(proc,), daemon=True).start()

    def _pump(self, proc):
        for raw in iter(lambda: proc.stdout.read1(4096), b""):
            sys.stdout.write(raw.decode(errors="replace"))
            with self.lock:
                self.text += raw.decode(errors="replace")

    def wait(self, marker, timeout, start=0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                at = self.text.find(marker, start)
            if at >= 0:
                return at
            time.sleep(0.1)
        raise Failure(f"no '{marker}' on the serial console within {timeout} s")


class Console:
    """A shell on the guest's hvc0, through the virtconsole's socket chardev."""

    def __init__(self, path):
        self.path = path
        self.sequence = 0
        self.buffer = ""
        self.sock = None

    def connect(self, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(self.path)
                self.sock.settimeout(1)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def run(self, command, timeout=120):
        """Runs a shell command in the guest; returns its output."""
        self.sequence += 1
        n = self.sequence
        self.sock.sendall(f"{command}; echo END-$(({n}*1000))\n".encode())
        marker = f"END-{n * 1000}"
        deadline = time.monotonic() + timeout
        while marker not in self.buffer:
            if time.monotonic() > deadline:
                raise Failure(f"guest command timed out: {command}\n{self.buffer[-2000:]}")
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise Failure("hvc0 socket closed")
            self.buffer += data.decode(errors="replace")
        out, self.buffer = self.buffer.split(marker, 1)
        return out

    def send(self, command):
        self.sock.sendall((command + "\n").encode())


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.file = self.sock.makefile("rw")
        self.events = []
        json.loads(self.file.readline())
        self.execute("qmp_capabilities")

    def execute(self, command, **arguments):
        self.file.write(json.dumps({"execute": command, "arguments": arguments}) + "\n")
        self.file.flush()
        while True:
            reply = json.loads(self.file.readline())
            if "event" in reply:
                self.events.append(reply)
                continue
            return reply


def uptime_clock(console, command):
    """Runs command in the guest and returns the seconds it took, by the guest's clock."""
    out = console.run(f"a=$(cut -d' ' -f1 /proc/uptime); {command} >/dev/null 2>&1; b=$(cut -d' ' -f1 /proc/uptime); echo T=$a,$b")
    a, b = re.search(r"T=([\d.]+),([\d.]+)", out).groups()
    return float(b) - float(a)


def iothread_read_bytes(pid, name):
    """Bytes the VMM's thread called NAME has read from files (its rchar), or -1 without one."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            if f.read().strip() == name:
                with open(f"/proc/{pid}/task/{tid}/io") as io:
                    return int(re.search(r"rchar: (\d+)", io.read()).group(1))
    return -1


def meminfo(console, key):
    return int(re.search(key + r":\s+(\d+)", console.run("cat /proc/meminfo")).group(1))


def hostile_guest(console, bdf):
    """Program the entropy device by hand from /dev/mem with forged rings; returns its status."""
    resource = console.run(f"head -1 /sys/bus/pci/devices/{bdf}/resource")
    bar = int(re.search(r"0x([0-9a-f]+)", resource).group(1), 16)
    rings = 0xF8000  # low 1 MiB, reserved in e820: /dev/mem may write it, and it is guest RAM to the VMM
    desc, avail, used = rings, rings + 0x100, rings + 0x200
    cmds = [f"echo {bdf} > /sys/bus/pci/drivers/virtio-pci/unbind"]
    w = lambda addr, bits, value: cmds.append(f"devmem 0x{addr:x} {bits} 0x{value:x}")
    # A descriptor loop: 0 -> 1 -> 0, and the ring offering head 0.
    w(desc, 64, 0x100000); w(desc + 8, 32, 64); w(desc + 12, 16, 1 | 2); w(desc + 14, 16, 1)
    w(desc + 16, 64, 0x100000); w(desc + 24, 32, 64); w(desc + 28, 16, 1 | 2); w(desc + 30, 16, 0)
    w(avail, 16, 0); w(avail + 4, 16, 0); w(avail + 2, 16, 1)
    common = bar
    w(common + 0x14, 8, 0); w(common + 0x14, 8, 1); w(common + 0x14, 8, 3)
    w(common + 0x08, 32, 1); w(common + 0x0c, 32, 1)  # VERSION_1
    w(common + 0x14, 8, 0xb)
    w(common + 0x16, 16, 0); w(common + 0x18, 16, 8)
    w(common + 0x20, 32, desc); w(common + 0x24, 32, 0)
    w(common + 0x28, 32, avail); w(common + 0x2c, 32, 0)
    w(common + 0x30, 32, used); w(common + 0x34, 32, 0)
    w(common + 0x1c, 16, 1); w(common + 0x14, 8, 0xf)
    w(bar + 0x3000, 16, 0)  # kick queue 0
    console.run(" ; ".join(cmds))
    time.sleep(1)
    loop_status = int(console.run(f"devmem 0x{common + 0x14:x} 8").strip().split()[-1], 16)
    # Then a buffer far outside guest RAM, after a reset.
    cmds = []
    w(desc, 64, 0xFFFF_FFFF_0000); w(desc + 8, 32, 4096); w(desc + 12, 16, 2); w(desc + 14, 16, 0)
    w(avail + 2, 16, 0); w(used + 2, 16, 0); w(avail + 2, 16, 1)
    w(common + 0x14, 8, 0); w(common + 0x14, 8, 1); w(common + 0x14, 8, 3)
    w(common + 0x08, 32, 1); w(common + 0x0c, 32, 1); w(common + 0x14, 8, 0xb)
    w(common + 0x16, 16, 0); w(common + 0x18, 16, 8)
    w(common + 0x20, 32, desc); w(common + 0x28, 32, avail); w(common + 0x30, 32, used)
    w(common + 0x1c, 16, 1); w(common + 0x14, 8, 0xf); w(bar + 0x3000, 16, 0)
    console.run(" ; ".join(cmds))
    time.sleep(1)
    outside_status = int(console.run(f"devmem 0x{common + 0x14:x} 8").strip().split()[-1], 16)
    return loop_status, outside_status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jvmm", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    disk, ro_disk = os.path.join(a.work, "disk.raw"), os.path.join(a.work, "ro.raw")
    for path in (disk, ro_disk):
        with open(path, "wb") as f:
            f.truncate(16 << 20)
    console_sock, qmp_sock = os.path.join(a.work, "console.sock"), os.path.join(a.work, "qmp.sock")
    subprocess.run(["ip", "tuntap", "add", "jvmmtap0", "mode", "tap"], check=True)
    cmd = base64.b64encode(GUEST_SCRIPT.encode()).decode()
    argv = [a.jvmm, "-machine", "q35", "-accel", "kvm", "-m", f"{RAM_MIB}M", "-smp", "1",
            "-kernel", os.path.join(a.image, "vmlinuz"), "-initrd", os.path.join(a.image, "initramfs.img"),
            "-append", f"console=ttyS0 quiet jvmm.cmd={cmd}", "-nodefaults", "-nographic", "-serial", "stdio",
            "-qmp", f"unix:{qmp_sock},server,nowait", "-object", "iothread,id=iothread1"]
    for n in range(1, 6):
        argv += ["-device", f"pcie-root-port,id=pcie.{n},port=0x{n:x},bus=pcie.0,addr=0x{n:x},chassis={n}"]
    argv += ["-drive", f"file={disk},id=drive-hda,format=raw,if=none,iops={IOPS}",
             "-device", "virtio-blk-pci,drive=drive-hda,id=hda,bus=pcie.1,addr=0x0,iothread=iothread1",
             "-netdev", "tap,id=net0,ifname=jvmmtap0,script=no,downscript=no",
             "-device", "virtio-net-pci,netdev=net0,id=net0,mac=de:ad:be:ef:00:01,bus=pcie.2,addr=0x0",
             "-device", "virtio-serial-pci,id=virt-serial0,bus=pcie.3,addr=0x0",
             "-chardev", f"socket,id=charconsole0,path={console_sock},server=on,wait=off",
             "-device", "virtconsole,chardev=charconsole0,id=console0",
             "-device", "virtio-balloon-pci,id=balloon0,bus=pcie.4,addr=0x0",
             "-object", "rng-random,id=objrng0,filename=/dev/urandom",
             "-device", f"virtio-rng-pci,rng=objrng0,max-bytes={RNG_BYTES},period={RNG_PERIOD_MS},id=rng0,bus=pcie.5,addr=0x0",
             "-device", "vhost-vsock-pci,id=vsock0,guest-cid=3,bus=pcie.0,addr=0x6",
             "-drive", f"file={ro_disk},id=drive-ro,format=raw,if=none,readonly=on",
             "-device", "virtio-blk-pci,drive=drive-ro,id=vdb,bus=pcie.0,addr=0x9"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    serial = Serial(proc)
    try:
        serial.wait("GUEST-SCRIPT-WAITING", 300)
        console = Console(console_sock)
        console.connect()
        out = console.run("echo HVC-$((6*7))")
        check("HVC-42" in out, f"hvc0 shell did not answer: {out!r}")

        tree = console.run("for d in /sys/bus/virtio/devices/*; do echo V $(readlink -f $d) $(basename $(readlink $d/driver)); done")
        for parent, driver in (("0000:00:01.0/0000:01:00.0", "virtio_blk"), ("0000:00:02.0/0000:02:00.0", "virtio_net"),
                               ("0000:00:03.0/0000:03:00.0", "virtio_console"), ("0000:00:06.0", "vmw_vsock_virtio_transport"),
                               ("0000:00:04.0/0000:04:00.0", "virtio_balloon"), ("0000:00:05.0/0000:05:00.0", "virtio_rng"),
                               ("0000:00:09.0", "virtio_blk")):
            check(re.search(re.escape(parent) + r"/virtio\d+ " + driver, tree), f"{driver} not behind {parent}:\n{tree}")
        ports = console.run("for p in 1 2 3 4 5; do cat /sys/bus/pci/devices/0000:00:0$p.0/vendor /sys/bus/pci/devices/0000:00:0$p.0/device; "
                            "basename $(readlink /sys/bus/pci/devices/0000:00:0$p.0/driver); done")
        check(ports.count("0x1b36") == 5 and ports.count("pcieport") == 5, f"root ports:\n{ports}")
        mac = console.run("cat /sys/class/net/eth0/address")
        check("de:ad:be:ef:00:01" in mac, f"the NIC's MAC is not the command line's: {mac!r}")

        console.run(f"echo {PATTERN} | dd of=/dev/rw bs=512 conv=sync,fsync")
        with open(disk, "rb") as f:
            check(f.read(len(PATTERN)).decode() == PATTERN, "the pattern is not in the host file after fsync")

        ro = console.run("echo RO=$(cat /sys/block/$(basename $(readlink /dev/ro))/ro); dd if=/dev/zero of=/dev/ro bs=512 count=1 oflag=direct conv=fsync 2>&1; echo RC=$?")
        check(re.search(r"^RO=1", ro, re.M) and re.search(r"^RC=[1-9]", ro, re.M), f"read-only disk accepted a write:\n{ro}")
        with open(ro_disk, "rb") as f:
            check(f.read(512) == bytes(512), "read-only disk file changed")

        ios = 600
        seconds = uptime_clock(console, f"dd if=/dev/rw of=/dev/null bs=4096 count={ios} iflag=direct")
        iops = ios / seconds
        check(iops <= IOPS * 1.1, f"IOPS limit {IOPS} not enforced: {iops:.0f}")

        served = iothread_read_bytes(proc.pid, "iothread1")
        check(served >= ios * 4096, f"the disk's reads were not served on iothread1 ({served} bytes read there)")

        rng_bytes = 64 * 80
        seconds = uptime_clock(console, f"dd if=/dev/hwrng of=/dev/null bs=64 count=80")
        rng_rate = rng_bytes / seconds
        check(rng_rate <= RNG_BYTES * 1000 / RNG_PERIOD_MS * 1.1, f"entropy limit not enforced: {rng_rate:.0f} B/s")

        qmp = Qmp(qmp_sock)
        total_before = meminfo(console, "MemTotal")
        reply = qmp.execute("balloon", value=(RAM_MIB // 2) << 20)
        check(reply.get("return") == {}, f"balloon: {reply}")
        deadline = time.monotonic() + 120
        while qmp.execute("query-balloon")["return"]["actual"] > (RAM_MIB // 2 + 4) << 20:
            check(time.monotonic() < deadline, f"balloon did not inflate: {qmp.execute('query-balloon')}")
            time.sleep(0.5)
        total_inflated = meminfo(console, "MemTotal")
        check(total_before - total_inflated >= 100 * 1024, f"MemTotal {total_before} -> {total_inflated} kB after balloon to half")
        qmp.execute("balloon", value=RAM_MIB << 20)
        deadline = time.monotonic() + 120
        while qmp.execute("query-balloon")["return"]["actual"] < RAM_MIB << 20:
            check(time.monotonic() < deadline, f"balloon did not deflate: {qmp.execute('query-balloon')}")
            time.sleep(0.5)
        total_deflated = meminfo(console, "MemTotal")
        check(total_deflated - total_inflated >= 100 * 1024, f"MemTotal {total_inflated} -> {total_deflated} kB after deflating")
        qmp.execute("query-status")
        check(any(e["event"] == "BALLOON_CHANGE" for e in qmp.events), f"no BALLOON_CHANGE event: {qmp.events}")

        uptime = lambda: float(re.search(r"U=([\d.]+)", console.run("echo U=$(cut -d' ' -f1 /proc/uptime)")).group(1))
        wall0, up0 = time.monotonic(), uptime()
        check(qmp.execute("stop").get("return") == {}, "stop")
        time.sleep(8)
        check(qmp.execute("cont").get("return") == {}, "cont")
        up1, wall = uptime(), time.monotonic() - wall0
        check(up1 - up0 < wall - 4, f"the guest's clock ran on while stopped: uptime +{up1 - up0:.1f} s over {wall:.1f} s")

        loop_status, outside_status = hostile_guest(console, "0000:05:00.0")
        check(loop_status & 0x40, f"descriptor loop: status 0x{loop_status:x}, no NEEDS_RESET")
        check(outside_status & 0x40, f"buffer outside RAM: status 0x{outside_status:x}, no NEEDS_RESET")
        check(proc.poll() is None, "the VMM died under the hostile guest")
        alive = console.run("dd if=/dev/rw bs=512 count=1 iflag=direct 2>/dev/null | head -c 17; echo; echo ALIVE-$((1+1))")
        check(PATTERN in alive and "ALIVE-2" in alive, f"guest or disk not working after the hostile device: {alive!r}")
        check(qmp.execute("query-status")["return"]["status"] == "running", "VM not running")

        mark = len(serial.text)
        console.send("reboot -f")
        serial.wait("DISK-READBACK-OK", 300, mark)
        console = Console(console_sock)
        serial.wait("GUEST-SCRIPT-WAITING", 300, mark)
        console.connect()
        console.send("poweroff -f")
        code = proc.wait(120)
        check(code == 0, f"jvmm exited {code} after poweroff")
        print(f"DEVICES-MEASURED paused-uptime=+{up1 - up0:.1f}s/{wall:.1f}s iops={iops:.1f} (limit {IOPS}) rng={rng_rate:.1f} B/s (limit {RNG_BYTES}/{RNG_PERIOD_MS} ms) "
              f"memtotal_kb={total_before}->{total_inflated}->{total_deflated}")
        print("DEVICES-TEST-PASSED")
    except Failure as e:
        print(f"DEVICES-TEST-FAILED: {e}")
        return 1
    finally:
        if proc.poll() is None:
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
