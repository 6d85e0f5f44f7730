package io.jvmm.vmm.confine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** jvmm's filter installed by the kernel in a child JVM: threads and unix sockets work, exec kills. */
class SeccompTest {
    record Outcome(int exit, String output) {}

    static Outcome probe(String what) throws IOException, InterruptedException {
        Path target = Path.of(SeccompProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath()).getParent();
        List<String> classPath = new ArrayList<>(List.of(target.resolve("test-classes").toString(), target.resolve("classes").toString()));
        try (Stream<Path> jars = Files.list(target.resolve("lib"))) {
            jars.map(Path::toString).sorted().forEach(classPath::add);
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xshare:off", "-XX:+DisableAttachMechanism", "-XX:-UsePerfData",
                "-Djnr.ffi.asm.enabled=false", "-cp", String.join(File.pathSeparator, classPath), SeccompProbe.class.getName(), what)
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Outcome(p.exitValue(), output);
    }

    @Test
    void aJvmUnderTheFilterRunsThreadsAndUnixSockets() throws Exception {
        Outcome o = probe("threads");
        assertThat(o.output()).as(o.output()).contains("NoNewPrivs: 1").contains("Seccomp: 2").contains("thread ran")
                .contains("unix socket bound").contains("inet socket refused");
        assertThat(o.exit()).as(o.output()).isZero();
    }

    @Test
    void aJvmUnderTheFilterThatTriesToExecIsKilled() throws Exception {
        Outcome o = probe("exec");
        assertThat(o.output()).as(o.output()).contains("Seccomp: 2").contains("starting /bin/true").doesNotContain("exec worked");
        assertThat(o.exit()).as("killed by SIGSYS: " + o.output()).isEqualTo(128 + 31);
    }
}
