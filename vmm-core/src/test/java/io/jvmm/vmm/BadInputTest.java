package io.jvmm.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.testkit.ProjectRoot;
import io.jvmm.vmm.arch.x86_64.FakeBzImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/jvmm refuses what cannot work before it touches KVM: exit status 1 and one line naming
 * the option and the problem, never a stack trace.
 */
class BadInputTest {
    @TempDir
    Path dir;

    private static HostCommand.Result jvmm(String... args) {
        List<String> argv = new ArrayList<>(List.of(ProjectRoot.bin("jvmm").toString()));
        argv.addAll(List.of(args));
        return HostCommand.run(argv);
    }

    private static void assertRefused(HostCommand.Result r, String... messageParts) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("jvmm: ").doesNotContain("Exception").doesNotContain("\tat ");
        for (String part : messageParts) {
            assertThat(r.stderr()).contains(part);
        }
    }

    @Test
    void unknownOptionIsNamed() {
        assertRefused(jvmm("-kernel", "/x", "-frobnicate", "on"), "-frobnicate: invalid option");
    }

    @Test
    void malformedOptionValuesAreNamed() {
        assertRefused(jvmm("-kernel", "/x", "-m", "lots"), "-m: 'lots' is not a size");
        assertRefused(jvmm("-kernel", "/x", "-smp", "cpus=0"), "-smp: cpus must be a positive number");
        assertRefused(jvmm("-kernel", "/x", "-machine", "pc"), "-machine: unsupported machine type 'pc'");
        assertRefused(jvmm("-kernel", "/x", "-qmp", "unix:/tmp/q.sock"), "-qmp: jvmm listens only");
        assertRefused(jvmm("-kernel"), "-kernel: requires an argument");
    }

    @Test
    void missingKernelFile() {
        assertRefused(jvmm("-kernel", dir.resolve("no-such-vmlinuz").toString()), "no-such-vmlinuz: no such file");
    }

    @Test
    void kernelThatIsNotABzImage() throws IOException {
        Path text = Files.writeString(dir.resolve("vmlinuz"), "#!/bin/sh\necho not a kernel\n".repeat(100));
        assertRefused(jvmm("-kernel", text.toString()), "not a Linux x86 bzImage");
    }

    @Test
    void memoryTooSmallForTheKernel() throws IOException {
        Path kernel = FakeBzImage.write(dir.resolve("vmlinuz"), 64L << 20);
        assertRefused(jvmm("-m", "32M", "-kernel", kernel.toString()), "-m 32M is too small", "at least");
    }

    @Test
    void memoryLargerThanTheHost() throws IOException {
        Path kernel = FakeBzImage.write(dir.resolve("vmlinuz"), 16L << 20);
        assertRefused(jvmm("-m", "64T", "-kernel", kernel.toString()), "more than this host's");
    }
}
