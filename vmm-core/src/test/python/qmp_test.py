#!/usr/bin/env python3
"""Drives jvmm over QMP with QEMU's own client library (qemu.qmp), in the KVM sandbox.

Boots the test guest with a console script that prints ticks and waits for the ACPI power
button, then checks: malformed and unknown commands get QEMU-style errors without disturbing
the VM; system_reset boots the guest again (RESET event); stop pauses the guest
(query-status says paused, the console goes quiet); cont
resumes it; system_powerdown presses the power button, the guest powers off through ACPI,
the SHUTDOWN event arrives and jvmm exits with status 0.

    qmp_test.py --jvmm bin/jvmm --image ~/.cache/jvmm/guest/current
Prints QMP-TEST-PASSED at the end; exits 1 with the reason otherwise.
"""
import argparse
import asyncio
import base64
import glob
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

from qemu.qmp import ExecuteError, QMPClient

GUEST_SCRIPT = r"""
ver=$(uname -r)
insmod /lib/modules/$ver/kernel/drivers/acpi/button.ko
insmod /lib/modules/$ver/kernel/drivers/input/evdev.ko
(i=0; while :; do echo JVMM-TICK $i; i=$((i+1)); sleep 0.1; done) &
while [ ! -e /dev/input/event0 ]; do sleep 0.1; done
echo JVMM-WAITING-FOR-POWER-BUTTON
dd if=/dev/input/event0 bs=24 count=1 of=/dev/null 2>/dev/null
echo JVMM-POWER-BUTTON-PRESSED
kill %1
"""


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def extra_initramfs(image, work):
    """A cpio archive with the power button and evdev modules, appended to the guest's own."""
    root = os.path.join(work, "extra")
    moddir = glob.glob(os.path.join(image, "modules", "*"))[0]
    release = os.path.basename(moddir)
    for rel in ("kernel/drivers/acpi/button.ko", "kernel/drivers/input/evdev.ko"):
        dest = os.path.join(root, "lib/modules", release, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(os.path.join(moddir, rel), "rb") as src, open(dest, "wb") as out:
            out.write(src.read())
    archive = os.path.join(work, "initrd.img")
    with open(archive, "wb") as out:
        with open(os.path.join(image, "initramfs.img"), "rb") as base:
            out.write(base.read())
        files = subprocess.run("find lib | sort", shell=True, cwd=root, capture_output=True, check=True).stdout
        cpio = subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=root, input=files,
                              capture_output=True, check=True).stdout
        out.write(subprocess.run(["gzip", "-n"], input=cpio, capture_output=True, check=True).stdout)
    return archive


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise Failure(f"timed out after {timeout} s waiting for {what}")


def raw_session(path):
    """A hand-written client: broken input must earn errors, then leaving must not hurt."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    f = s.makefile("rwb", buffering=0)

    def reply():
        line = f.readline()
        check(line, "the QMP server closed the connection")
        return json.loads(line)

    def send(text):
        f.write(text.encode() + b"\n")

    greeting = reply()
    check("QMP" in greeting and "version" in greeting["QMP"], f"bad greeting {greeting}")
    send('{"execute": "query-status"}')
    r = reply()
    check(r.get("error", {}).get("class") == "CommandNotFound", f"command before negotiation: {r}")
    send('{"execute": "qmp_capabilities", "id": 1}')
    r = reply()
    check(r == {"return": {}, "id": 1}, f"qmp_capabilities: {r}")
    send("this is not json")
    r = reply()
    check(r.get("error", {}).get("class") == "GenericError", f"malformed JSON: {r}")
    send('{"execute": "no-such-command", "id": "x"}')
    r = reply()
    check(r.get("error", {}).get("class") == "CommandNotFound" and r.get("id") == "x", f"unknown command: {r}")
    send('[1, 2, 3]')
    r = reply()
    check(r.get("error", {}).get("class") == "GenericError", f"non-object input: {r}")
    send('{"execute": "stop", "arguments": {"bogus": 1}}')
    r = reply()
    check(r.get("error", {}).get("class") == "GenericError", f"unexpected argument: {r}")
    send('{"execute": "query-status"}')
    r = reply()
    check(r.get("return", {}).get("status") == "running", f"VM disturbed by bad input: {r}")
    # Leave in the middle of a command.
    f.write(b'{"execute": "query-')
    s.close()


async def qmp_session(path, serial, proc):
    qmp = QMPClient("jvmm-test")
    await qmp.connect(path)

    async def event(name, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            check(remaining > 0, f"no {name} event within {timeout} s")
            e = await asyncio.wait_for(qmp.events.get(), remaining)
            if e["event"] == name:
                return e

    status = await qmp.execute("query-status")
    check(status["status"] == "running" and status["running"] is True, f"query-status: {status}")
    version = await qmp.execute("query-version")
    check("qemu" in version and "major" in version["qemu"], f"query-version: {version}")
    names = {c["name"] for c in await qmp.execute("query-commands")}
    for n in ("qmp_capabilities", "query-status", "stop", "cont", "quit", "system_powerdown", "system_reset",
              "query-version", "query-commands", "query-cpus-fast"):
        check(n in names, f"query-commands lacks {n}")
    cpus = await qmp.execute("query-cpus-fast")
    check(len(cpus) == 2 and all(c["thread-id"] > 0 for c in cpus), f"query-cpus-fast: {cpus}")
    try:
        await qmp.execute("frobnicate")
        raise Failure("an unknown command succeeded")
    except ExecuteError as e:
        check(e.error.error.class_ == "CommandNotFound", f"unknown command error class {e.error.error.class_}")

    def count(marker):
        return open(serial, "rb").read().count(marker)

    wait_for(lambda: count(b"JVMM-WAITING-FOR-POWER-BUTTON") == 1, 120, "the guest's script")
    await qmp.execute("system_reset")
    reset = await event("RESET")
    check(reset.get("data", {}).get("guest") is False, f"RESET event: {reset}")
    wait_for(lambda: count(b"JVMM-WAITING-FOR-POWER-BUTTON") == 2, 120, "the guest's script after the reset")
    check(count(b"JVMM-GUEST-START") == 2, "the guest did not boot again after system_reset")
    check(proc.poll() is None, "jvmm exited on system_reset")

    await qmp.execute("stop")
    await event("STOP")
    status = await qmp.execute("query-status")
    check(status["status"] == "paused" and status["running"] is False, f"query-status after stop: {status}")
    size = os.path.getsize(serial)
    await asyncio.sleep(2)
    check(os.path.getsize(serial) == size, "the guest kept printing while paused")

    await qmp.execute("cont")
    await event("RESUME")
    status = await qmp.execute("query-status")
    check(status["status"] == "running", f"query-status after cont: {status}")
    wait_for(lambda: os.path.getsize(serial) > size, 30, "guest output after cont")

    await qmp.execute("system_powerdown")
    await event("POWERDOWN")
    shutdown = await event("SHUTDOWN", 120)
    check(shutdown.get("data", {}).get("guest") is True, f"SHUTDOWN event: {shutdown}")
    await qmp.disconnect()
    code = await asyncio.get_running_loop().run_in_executor(None, lambda: proc.wait(120))
    check(code == 0, f"jvmm exited with {code} after the guest powered off")
    check(b"JVMM-POWER-BUTTON-PRESSED" in open(serial, "rb").read(), "the guest never saw the power button")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jvmm", required=True)
    parser.add_argument("--image", required=True)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="jvmm-qmp-")
    serial = os.path.join(work, "serial.log")
    sock = os.path.join(work, "qmp.sock")
    initrd = extra_initramfs(args.image, work)
    cmd = base64.b64encode(GUEST_SCRIPT.encode()).decode()
    argv = [args.jvmm, "-machine", "q35", "-accel", "kvm", "-m", "256M", "-smp", "2",
            "-kernel", os.path.join(args.image, "vmlinuz"), "-initrd", initrd,
            "-append", f"console=ttyS0 quiet jvmm.cmd={cmd}",
            "-nodefaults", "-no-user-config", "-nographic",
            "-serial", f"file:{serial}", "-qmp", f"unix:{sock},server,nowait"]
    proc = subprocess.Popen(argv)
    try:
        wait_for(lambda: os.path.exists(sock), 60, "the QMP socket")
        raw_session(sock)
        asyncio.run(qmp_session(sock, serial, proc))
    except Exception as e:  # any failure: stop the VM, show why and what the guest said
        proc.kill()
        print(f"QMP-TEST-FAILED: {e}")
        if os.path.exists(serial):
            print("console tail:\n" + open(serial, "rb").read()[-3000:].decode(errors="replace"))
        return 1
    print("QMP-TEST-PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
