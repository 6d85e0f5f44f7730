package io.jvmm.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProcessOutcome;
import io.jvmm.testkit.ProjectRoot;
import io.jvmm.testkit.SandboxTest;

/**
 * The seed's block, console, entropy and balloon devices behind their root ports, judged by the
 * guest's drivers (vmm-core/src/test/python/devices_test.py says what it checks): the PCI tree,
 * a shell on hvc0, disk data surviving a reboot, the read-only disk, the IOPS and entropy limits,
 * ballooning, and a hostile guest that stops only the device it attacks.
 */
class VirtioDevicesSandboxTest {
    @SandboxTest
    void seedDevicesWorkForTheGuestsOwnDrivers(KvmSandbox sandbox, GuestImage image) {
        ProcessOutcome outcome = sandbox.runGuest("python3",
                ProjectRoot.path().resolve("vmm-core/src/test/python/devices_test.py").toString(),
                "--jvmm", ProjectRoot.bin("jvmm").toString(), "--image", image.directory().toString(),
                "--work", "/tmp/jvmm-devices-test");

        assertThat(outcome.output()).as(outcome.toString()).contains("DEVICES-TEST-PASSED")
                .contains("device 'rng0': queue 0 descriptor chain from 0 loops")
                .contains("device 'rng0': queue 0 buffer at 0xffffffff0000 of 4096 bytes is outside guest RAM");
        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
    }
}
