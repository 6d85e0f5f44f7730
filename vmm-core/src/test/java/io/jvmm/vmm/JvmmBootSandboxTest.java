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

    @SandboxTest
    void bootsFourVcpusWith2GiBAndExitsZeroOnPowerOff(KvmSandbox sandbox, GuestImage image) {
        ProcessOutcome outcome = boot(sandbox, image, 4, "2G");

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
