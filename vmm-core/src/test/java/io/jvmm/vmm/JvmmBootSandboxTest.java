package io.jvmm.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.GuestReport;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProcessOutcome;
import io.jvmm.testkit.ProjectRoot;
import io.jvmm.testkit.SandboxTest;
import java.util.ArrayList;
import java.util.List;

/**
 * jvmm boots the test guest on KVM: the guest's own report shows the vCPUs and memory it was
 * given, ACPI without errors, and powering off ends jvmm with status 0. Two boots cover the
 * small and the large shape (each boot costs tens of seconds in the nested sandbox).
 */
class JvmmBootSandboxTest {

    private static ProcessOutcome boot(KvmSandbox sandbox, GuestImage image, int cpus, String memory) {
        List<String> argv = new ArrayList<>(List.of(ProjectRoot.bin("jvmm").toString(),
                "-machine", "q35", "-accel", "kvm", "-smp", Integer.toString(cpus), "-m", memory,
                "-kernel", image.kernel().toString(), "-initrd", image.initramfs().toString(),
                "-append", "console=ttyS0 quiet",
                "-nodefaults", "-no-user-config", "-nographic", "-no-reboot", "-serial", "stdio"));
        return sandbox.runGuest(argv);
    }

    @SandboxTest
    void bootsOneVcpuWith256MiBAndExitsZeroOnPowerOff(KvmSandbox sandbox, GuestImage image) {
        ProcessOutcome outcome = boot(sandbox, image, 1, "256M");

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        GuestReport guest = outcome.guest();
        assertThat(guest.started()).as("start marker in %s", outcome).isTrue();
        assertThat(guest.ready()).as("ready marker in %s", outcome).isTrue();
        assertThat(guest.cpusOnline()).isEqualTo(1);
        // MemTotal is RAM less what the kernel keeps for itself: most of 256 MiB, never more.
        assertThat(guest.memTotalKiB()).isBetween(200L * 1024, 256L * 1024);
        assertThat(guest.fact("acpi")).contains("on");
        assertThat(guest.fact("acpi_errors")).contains("0");
        assertThat(guest.all("pci")).anyMatch(p -> p.startsWith("0000:00:00.0 vendor=0x8086 device=0x29c0"));
    }

    /**
     * On a terminal (script(1) gives jvmm one), as in the demo: jvmm sets it to raw input itself
     * and sets it back at exit, under its system call filter, which would kill a jvmm that ran
     * stty for it; the terminal is as it was.
     */
    @SandboxTest
    void onATerminalTheGuestRunsAndTheTerminalIsRestoredUnderTheFilter(KvmSandbox sandbox, GuestImage image) {
        String jvmm = String.join(" ", ProjectRoot.bin("jvmm").toString(),
                "-machine q35 -accel kvm -smp 1 -m 256M -kernel", image.kernel().toString(),
                "-initrd", image.initramfs().toString(), "-append 'console=ttyS0 quiet'",
                "-nodefaults -no-user-config -nographic -no-reboot -serial stdio");
        String inner = "stty -a | grep -o -- '-\\?icanon' | sed 's/^/TTY-BEFORE /'; " + jvmm
                + "; echo JVMM-EXIT=$?; stty -a | grep -o -- '-\\?icanon' | sed 's/^/TTY-AFTER /'";
        ProcessOutcome outcome = sandbox.runGuest("script", "-qec", inner, "/dev/null");

        assertThat(outcome.output()).as(outcome.toString()).contains("JVMM-GUEST-READY").contains("JVMM-EXIT=0")
                .contains("TTY-BEFORE icanon").contains("TTY-AFTER icanon").doesNotContain("TTY-AFTER -icanon");
    }

    /**
     * Started as root, as the QEMU-style command line of a VMM that gives up root itself: once
     * the machine is built, jvmm runs as the user -run-with names, with no capability, under
     * no_new_privs and its system call filter (the default -sandbox on), all the guest's life.
     */
    @SandboxTest
    void bootsFourVcpusWith2GiBAsAnUnprivilegedUserUnderItsFilterAndExitsZeroOnPowerOff(KvmSandbox sandbox,
                                                                                         GuestImage image) {
        List<String> argv = new ArrayList<>(List.of("bash", "-c", String.join("\n",
                "\"$@\" & pid=$!",
                "for i in $(seq 1 1200); do grep -q '^Seccomp:[[:space:]]*2' /proc/$pid/status 2>/dev/null && break; sleep 0.1; done",
                "grep -E '^(Uid|Gid|Groups|CapEff|CapPrm|NoNewPrivs|Seccomp):' /proc/$pid/status | sed 's/^/VMM-STATUS /'",
                "wait $pid"), "run-with",
                ProjectRoot.bin("jvmm").toString(), "-run-with", "user=4242:4242",
                "-machine", "q35", "-accel", "kvm", "-smp", "4", "-m", "2G",
                "-kernel", image.kernel().toString(), "-initrd", image.initramfs().toString(),
                "-append", "console=ttyS0 quiet",
                "-nodefaults", "-no-user-config", "-nographic", "-no-reboot", "-serial", "stdio"));
        ProcessOutcome outcome = sandbox.runGuest(argv);

        assertThat(outcome.output()).as(outcome.toString()).contains("VMM-STATUS Uid:\t4242\t4242\t4242\t4242")
                .contains("VMM-STATUS Gid:\t4242\t4242\t4242\t4242").contains("VMM-STATUS CapEff:\t0000000000000000")
                .contains("VMM-STATUS CapPrm:\t0000000000000000").contains("VMM-STATUS NoNewPrivs:\t1")
                .contains("VMM-STATUS Seccomp:\t2");

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        GuestReport guest = outcome.guest();
        assertThat(guest.started()).as("start marker in %s", outcome).isTrue();
        assertThat(guest.ready()).as("ready marker in %s", outcome).isTrue();
        assertThat(guest.cpusOnline()).isEqualTo(4);
        assertThat(guest.fact("cpus_online_list")).contains("0-3");
        assertThat(guest.memTotalKiB()).isBetween(1900L * 1024, 2048L * 1024);
        assertThat(guest.fact("acpi_errors")).contains("0");
    }

    /**
     * QEMU's own QMP client drives jvmm (vmm-core/src/test/python/qmp_test.py): bad input,
     * stop/cont with the console going quiet and coming back, system_powerdown through ACPI.
     */
    @SandboxTest
    void qemuQmpClientStopsResumesAndPowersDownTheGuest(KvmSandbox sandbox, GuestImage image) {
        String python = HostCommand.output(ProjectRoot.path().resolve("vmm-core/src/test/python/setup-venv.sh").toString());

        ProcessOutcome outcome = sandbox.runGuest(python, ProjectRoot.path().resolve("vmm-core/src/test/python/qmp_test.py").toString(),
                "--jvmm", ProjectRoot.bin("jvmm").toString(), "--image", image.directory().toString());

        assertThat(outcome.output()).as(outcome.toString()).contains("QMP-TEST-PASSED");
        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
    }
}
