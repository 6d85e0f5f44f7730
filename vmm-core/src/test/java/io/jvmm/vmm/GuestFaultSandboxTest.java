package io.jvmm.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProcessOutcome;
import io.jvmm.testkit.ProjectRoot;
import io.jvmm.testkit.SandboxTest;
import io.jvmm.vmm.arch.x86_64.FakeBzImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A guest that triple-faults ends jvmm with status 1 and a one-line reason, not a hang and not
 * a Java stack trace: its kernel's first instruction is ud2, with no IDT loaded, so #UD becomes
 * a double fault and then a shutdown.
 */
class GuestFaultSandboxTest {
    private static final byte[] UD2 = {0x0f, 0x0b};

    @SandboxTest
    void tripleFaultEndsTheVmmWithAMessage(KvmSandbox sandbox) throws IOException {
        Path dir = Files.createDirectories(ProjectRoot.path().resolve("vmm-core/target/fault-test"));
        Path kernel = FakeBzImage.write(dir.resolve("ud2.bzImage"), 0x100000, UD2);

        ProcessOutcome outcome = sandbox.run(ProjectRoot.bin("jvmm").toString(), "-machine", "q35", "-accel", "kvm",
                "-m", "128M", "-kernel", kernel.toString(), "-nodefaults", "-nographic", "-serial", "stdio");

        assertThat(outcome.exitCode()).as(outcome.toString()).isEqualTo(1);
        assertThat(outcome.output()).contains("jvmm: vCPU 0: the guest triple-faulted (KVM_EXIT_SHUTDOWN)")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }
}
