"""What the benchmarks share: their common options and the command line that jvmm and QEMU both
accept for the guest image, so that each benchmark boots both on the very same arguments."""
import argparse
import base64
import os

QEMU = "qemu-system-x86_64"


def options(runs, description=None):
    """A parser with the options every side-by-side benchmark takes; bench/in-sandbox.sh gives
    --jvmm and --image."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--jvmm", required=True, help="jvmm's launcher (bin/jvmm)")
    p.add_argument("--image", required=True, help="the guest image's directory (bin/jvmm-guest-image --print)")
    p.add_argument("--runs", type=int, default=runs)
    return p


def vm(image, mem="256M", smp=1, cpu=None, cmd=None, extra=()):
    """The arguments after the launcher: q35 on KVM, the image's kernel and initramfs, the serial
    console on stdio, exit at the guest's reboot as at its power-off. cmd: shell text the guest's
    init runs after its ready marker (jvmm.cmd), its output on the console; extra: devices."""
    append = "console=ttyS0 quiet" + (f" jvmm.cmd={base64.b64encode(cmd.encode()).decode()}" if cmd else "")
    return (["-machine", "q35", "-accel", "kvm", "-m", mem, "-smp", str(smp)]
            + (["-cpu", cpu] if cpu else [])
            + ["-kernel", os.path.join(image, "vmlinuz"), "-initrd", os.path.join(image, "initramfs.img"),
               "-append", append, "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
               "-serial", "stdio"]
            + list(extra))


def both(jvmm, args):
    """{VMM: its whole command line}, jvmm first: the order the benchmarks alternate in."""
    return {"jvmm": [jvmm] + args, "qemu": [QEMU] + args}
