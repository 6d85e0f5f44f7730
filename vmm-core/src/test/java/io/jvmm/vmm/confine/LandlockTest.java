package io.jvmm.vmm.confine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
        Path target = Path.of(LandlockProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath()).getParent();
        List<String> classPath = new ArrayList<>(List.of(target.resolve("test-classes").toString(), target.resolve("classes").toString()));
        try (Stream<Path> jars = Files.list(target.resolve("lib"))) {
            jars.map(Path::toString).sorted().forEach(classPath::add);
        }
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:off",
                "-Djnr.ffi.asm.enabled=false", "-cp", String.join(File.pathSeparator, classPath), LandlockProbe.class.getName(),
                allowed.toString(), secret.toString(), "/etc/hostname").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assumeTrue(!out.contains("ABI 0"), "this kernel has no Landlock: " + out);
        assertThat(out).contains("main READ " + allowed, "main DENIED " + secret, "main DENIED /etc/hostname",
                "later READ " + allowed, "later DENIED " + secret, "later DENIED /etc/hostname");
    }
}
