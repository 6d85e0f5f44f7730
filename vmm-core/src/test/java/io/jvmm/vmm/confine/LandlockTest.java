package io.jvmm.vmm.confine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM bound by Landlock reads what its rules allow and nothing else, in every thread it starts. */
class LandlockTest {
    @TempDir
    Path dir;

    @Test
    void onlyTheAllowedFilesCanBeReadAfterTheRestriction() throws Exception {
        Path allowed = Files.writeString(dir.resolve("kernel"), "allowed");
        Path secret = Files.writeString(dir.resolve("secret"), "not for the VMM");
        ChildJvm.Outcome run = ChildJvm.run(LandlockProbe.class, allowed.toString(), secret.toString(), "/etc/hostname");
        String out = run.output();
        assertThat(run.exit()).as(out).isZero();
        assumeTrue(!out.contains("ABI 0"), "this kernel has no Landlock: " + out);
        assertThat(out).contains("main READ " + allowed, "main DENIED " + secret, "main DENIED /etc/hostname",
                "later READ " + allowed, "later DENIED " + secret, "later DENIED /etc/hostname");
    }
}
