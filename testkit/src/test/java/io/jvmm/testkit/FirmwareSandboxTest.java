package io.jvmm.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The sandbox runs UEFI firmware under its nested KVM: Debian's OVMF (code and a copy of its
 * vars template as two pflash units) boots under QEMU with accel=kvm to its shell on the serial
 * port, where {@code reset -s} powers the machine off, and the firmware wrote its variables to the
 * vars copy; then OVMF boots the test guest's kernel (QEMU hands it over through fw_cfg, the
 * kernel's EFI stub starts it) on two vCPUs to the guest's ready marker, and the guest finds
 * itself booted by EFI. Debian's QEMU as the sandbox's outer machine can abort under this
 * firmware (bin/lib/sandbox-qemu says why); bin/jvmm-setup builds the patched one bin/jvmm-sandbox uses.
 */
class FirmwareSandboxTest {
    static final Path CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
    static final Path VARS_TEMPLATE = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");

    private static final String BOOT = String.join("\n",
        "import hashlib, os, re, select, shutil, subprocess, sys, time",
        "shutil.copy(sys.argv[2], '/tmp/vars.fd')",
        "digest = lambda: hashlib.sha256(open('/tmp/vars.fd', 'rb').read()).hexdigest()",
        "before = digest()",
        "qemu = subprocess.Popen(['qemu-system-x86_64', '-machine', 'q35,smm=off', '-accel', 'kvm', '-m', '256M', '-smp', '2',",
        "    '-nodefaults', '-nographic', '-no-reboot', '-serial', 'stdio',",
        "    '-drive', 'if=pflash,format=raw,unit=0,readonly=on,file=' + sys.argv[1],",
        "    '-drive', 'if=pflash,format=raw,unit=1,file=/tmp/vars.fd'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)",
        "out, typed, deadline = b'', None, time.time() + 600",
        "while time.time() < deadline and qemu.poll() is None:",
        "    if select.select([qemu.stdout], [], [], 1)[0]:",
        "        chunk = os.read(qemu.stdout.fileno(), 65536)",
        "        out += chunk",
        "    if typed is None and b'Shell>' in out:",
        "        typed = time.time()",
        "        qemu.stdin.write(b'reset -s\\r'); qemu.stdin.flush()",
        "    if typed is not None and time.time() - typed > 20:",
        "        typed = time.time(); qemu.stdin.write(b'\\rreset -s\\r'); qemu.stdin.flush()",
        "if qemu.poll() is None: qemu.kill()",
        "rest = qemu.stdout.read() or b''",
        "text = re.sub(rb'\\x1b\\[[0-9;?]*[A-Za-z]', b'', out + rest).decode('ascii', 'replace')",
        "print(text[-3000:])",
        "print('FW-SHELL=%s' % ('UEFI Interactive Shell' in text and 'Shell>' in text))",
        "print('FW-EXIT=%d' % qemu.wait())",
        "print('FW-VARS-CHANGED=%s' % (digest() != before))",
        "");

    @SandboxTest
    void ovmfReachesItsShellAndBootsLinuxUnderNestedKvm(KvmSandbox sandbox, GuestImage image) {
        assertThat(CODE).as("Debian's OVMF (the ovmf package; bin/jvmm-setup installs it)").exists();
        String efi = java.util.Base64.getEncoder().encodeToString(
            "[ -d /sys/firmware/efi ] && echo GUEST-EFI=yes".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String script = String.join("\n",
            "cat > /tmp/boot-ovmf.py <<'PY'",
            BOOT + "PY",
            "python3 /tmp/boot-ovmf.py " + CODE + " " + VARS_TEMPLATE,
            "cp " + VARS_TEMPLATE + " /tmp/linux-vars.fd",
            "timeout 300 qemu-system-x86_64 -machine q35,smm=off -accel kvm -smp 2 -m 512M -nodefaults -nographic"
                + " -no-reboot -serial stdio -drive if=pflash,format=raw,unit=0,readonly=on,file=" + CODE
                + " -drive if=pflash,format=raw,unit=1,file=/tmp/linux-vars.fd -kernel " + image.kernel()
                + " -initrd " + image.initramfs() + " -append 'console=ttyS0 quiet jvmm.cmd=" + efi + "'"
                + " < /dev/null > /tmp/linux.out",
            "echo \"LINUX-EXIT=$?\"",
            "tr -d '\\033' < /tmp/linux.out | grep -a -E '^(JVMM-GUEST-READY|cpus_online=|GUEST-EFI=)'",
            "");
        ProcessOutcome outcome = sandbox.withTimeout(Duration.ofMinutes(15)).shell(script);

        assertThat(outcome.output()).as("%s\n(an outer QEMU that aborts here may be Debian's own: bin/jvmm-setup"
            + " builds the patched one)", outcome).contains("FW-SHELL=True", "FW-EXIT=0", "FW-VARS-CHANGED=True",
            "LINUX-EXIT=0", "JVMM-GUEST-READY", "cpus_online=2", "GUEST-EFI=yes");
    }
}
