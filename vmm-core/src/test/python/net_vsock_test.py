#!/usr/bin/env python3
"""virtio-net on a tap and vhost-vsock, judged by the guest's own drivers (run inside the sandbox, as root).

Makes a tap with the host side at 192.168.77.1/24, boots the test guest with virtio-net-pci on
it (vhost=on|off) and vhost-vsock-pci at CID 3, and has the guest bring eth0 up at
192.168.77.2/24 and then:
  ping the host; fetch 8 MiB from a host TCP server (the receive path, segmentation offload);
  send 8 MiB of zeros to a host TCP server (the transmit path); connect over vsock to the host,
  which echoes; listen on vsock port 5100 and TCP port 6000, when the host pings the guest,
  connects over vsock and echoes through it, and finally tells the guest over TCP to finish.
Prints the guest's console and one "RESULT name=value" line per check; exit status 0 when the
guest powered off and jvmm ended with status 0.
"""
import argparse, base64, hashlib, os, socket, subprocess, sys, threading, time

HOST, GUEST, CID, MIB = "192.168.77.1", "192.168.77.2", 3, 8
results = {}


def result(name, value):
    results[name] = value
    print(f"RESULT {name}={value}", flush=True)


def pattern(n):
    block = bytes(range(256)) * 256
    return (block * (n // len(block) + 1))[:n]


def tcp_server(port, handle):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, port))
    s.listen(1)
    def serve():
        c, _ = s.accept()
        with c:
            handle(c)
    threading.Thread(target=serve, daemon=True).start()


def send_pattern(c):
    data = pattern(MIB << 20)
    c.sendall(data)
    result("host_sent_md5", hashlib.md5(data).hexdigest())


def receive_all(c):
    h, n = hashlib.md5(), 0
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        h.update(d)
        n += len(d)
    result("host_received", f"{n}:{h.hexdigest()}")
    c.sendall(f"GOT {n}\n".encode())


def vsock_echo_server(port):
    s = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
    s.bind((socket.VMADDR_CID_ANY, port))
    s.listen(1)
    def serve():
        while True:
            c, addr = s.accept()
            with c:
                data = b""
                while True:
                    d = c.recv(4096)
                    if not d:
                        break
                    data += d
                result("host_vsock_peer_cid", addr[0])
                c.sendall(b"echo:" + data)
    threading.Thread(target=serve, daemon=True).start()


def retry(what, attempts, f):
    for i in range(attempts):
        try:
            return f()
        except OSError as e:
            last = e
            time.sleep(1)
    result(what, f"failed:{last}")
    return None


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ping(address, count=3):
    """ICMP echo from a raw socket (the sandbox's root has no ping): 'ok' when a reply comes back."""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(5)
    ident, replies = os.getpid() & 0xffff, 0
    for seq in range(count):
        body = ident.to_bytes(2, "big") + seq.to_bytes(2, "big") + b"jvmm-ping"
        s.sendto(b"\x08\0" + checksum(b"\x08\0\0\0" + body).to_bytes(2, "big") + body, (address, 0))
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                packet, peer = s.recvfrom(2048)
            except socket.timeout:
                break
            icmp = packet[(packet[0] & 0xf) * 4:]
            if peer[0] == address and icmp[0] == 0 and icmp[4:8] == body[:4]:
                replies += 1
                break
    s.close()
    return "ok" if replies == count else f"failed:{replies}/{count} replies"


def host_to_guest():
    """The guest is listening: ping it, echo over vsock to it, then tell it to finish."""
    try:
        result("host_ping_guest", ping(GUEST))
    except OSError as e:
        result("host_ping_guest", f"failed:{e}")

    def vsock():
        s = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
        s.settimeout(30)
        s.connect((CID, 5100))
        s.sendall(b"hello-host-to-guest")
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
        s.close()
        return data
    echoed = retry("host_vsock_echo", 10, vsock)
    if echoed is not None:
        result("host_vsock_echo", echoed.decode(errors="replace"))

    def done():
        s = socket.create_connection((GUEST, 6000), timeout=10)
        s.sendall(b"finish\n")
        s.close()
        return True
    retry("host_told_guest_to_finish", 10, done)


# The script travels base64 on the kernel command line (2047 bytes at most): no comments in it.
# eth0's operstate follows the carrier through the kernel's linkwatch, up to a second later (more
# under nested emulation), so it is waited for, 10 s at most: a link that never comes up fails.
GUEST_SCRIPT = f"""
ip link set lo up
ip link set eth0 up && ip addr add {GUEST}/24 dev eth0
for i in $(seq 50); do [ $(cat /sys/class/net/eth0/operstate) = up ] && break; sleep .2; done
echo "GUEST-ETH0=$(cat /sys/class/net/eth0/operstate) $(ip -4 addr show dev eth0 | grep -o 'inet [0-9./]*')"
ping -c 3 -W 5 {HOST} >/dev/null; echo "GUEST-PING-RC=$?"
echo "GUEST-RX-MD5=$(nc {HOST} 5001 | md5sum | cut -d' ' -f1)"
echo "GUEST-TX-REPLY=$(dd if=/dev/zero bs=65536 count={MIB * 16} 2>/dev/null | nc {HOST} 5002)"
echo "GUEST-VSOCK-ECHO=$(vsock-echo connect 2 5000 hello-guest-to-host)"
nc -l -p 6000 > /tmp/finish & finish=$!
vsock-echo listen 5100 > /tmp/vsock-listen.log 2>&1 & listener=$!
i=0; while ! grep -q listening /tmp/vsock-listen.log && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
echo GUEST-LISTENING
wait $finish
echo "GUEST-FINISH=$(cat /tmp/finish)"
kill $listener 2>/dev/null
echo "GUEST-TX-BYTES=$(cat /sys/class/net/eth0/statistics/tx_bytes) GUEST-RX-BYTES=$(cat /sys/class/net/eth0/statistics/rx_bytes)"
"""

# With --rebind: the drivers let go of both devices (a device reset) and take them again.
REBIND_SCRIPT = f"""
rmmod virtio_net && rmmod vmw_vsock_virtio_transport && echo GUEST-UNBOUND
modprobe virtio_net && modprobe vmw_vsock_virtio_transport
i=0; while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
ip link set eth0 up && ip addr add {GUEST}/24 dev eth0
ping -c 3 -W 5 {HOST} >/dev/null; echo "GUEST-PING2-RC=$?"
echo "GUEST-VSOCK-ECHO2=$(vsock-echo connect 2 5000 again-after-rebind)"
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jvmm", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--vhost", choices=["on", "off"], default="off")
    ap.add_argument("--tap", default="jvmmtap0")
    ap.add_argument("--timeout", type=int, default=240)
    ap.add_argument("--rebind", action="store_true", help="then unload and reload the guest's drivers and check again")
    args = ap.parse_args()

    subprocess.run(["ip", "tuntap", "add", args.tap, "mode", "tap"], check=True)
    subprocess.run(["ip", "addr", "add", f"{HOST}/24", "dev", args.tap], check=True)
    subprocess.run(["ip", "link", "set", args.tap, "up"], check=True)
    tcp_server(5001, send_pattern)
    tcp_server(5002, receive_all)
    vsock_echo_server(5000)
    result("expected_rx_md5", hashlib.md5(pattern(MIB << 20)).hexdigest())
    result("expected_tx", f"{MIB << 20}:{hashlib.md5(bytes(MIB << 20)).hexdigest()}")

    cmd = base64.b64encode((GUEST_SCRIPT + (REBIND_SCRIPT if args.rebind else "")).encode()).decode()
    argv = [args.jvmm, "-machine", "q35", "-accel", "kvm", "-m", "256M", "-smp", "1",
            "-kernel", os.path.join(args.image, "vmlinuz"), "-initrd", os.path.join(args.image, "initramfs.img"),
            "-append", f"console=ttyS0 quiet jvmm.cmd={cmd}",
            "-nodefaults", "-no-user-config", "-nographic", "-no-reboot", "-serial", "stdio",
            "-device", "pcie-root-port,id=pcie.1,port=0x1,bus=pcie.0,addr=0x1,chassis=1",
            "-device", "pcie-root-port,id=pcie.2,port=0x2,bus=pcie.0,addr=0x2,chassis=2",
            "-netdev", f"tap,id=net0,ifname={args.tap},script=no,downscript=no,vhost={args.vhost}",
            "-device", "virtio-net-pci,netdev=net0,id=net0,mac=52:54:00:6a:76:01,bus=pcie.1,addr=0x0",
            "-device", f"vhost-vsock-pci,id=vsock0,guest-cid={CID},bus=pcie.2,addr=0x0"]
    vm = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    killer = threading.Timer(args.timeout, vm.kill)
    killer.start()
    for line in vm.stdout:
        print(line, end="", flush=True)
        if line.startswith("GUEST-LISTENING"):
            threading.Thread(target=host_to_guest, daemon=True).start()
    rc = vm.wait()
    killer.cancel()
    result("jvmm_exit", rc)
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
