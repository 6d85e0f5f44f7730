package io.jvmm.vmm.confine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a probe's main in a JVM of its own with vmm-core's classes: confinement binds the whole
 * process (or the thread that installs it), never something a test's own JVM can take on.
 */
final class ChildJvm {
    record Outcome(int exit, String output) {}

    private ChildJvm() {}

    static Outcome run(Class<?> main, String... args) throws Exception {
        Path target = Path.of(main.getProtectionDomain().getCodeSource().getLocation().getPath()).getParent();
        List<String> classPath = new ArrayList<>(List.of(target.resolve("test-classes").toString(),
                target.resolve("classes").toString()));
        try (Stream<Path> jars = Files.list(target.resolve("lib"))) {
            jars.map(Path::toString).sorted().forEach(classPath::add);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:off", "-XX:+DisableAttachMechanism", "-XX:-UsePerfData", "-Djnr.ffi.asm.enabled=false",
                "-cp", String.join(File.pathSeparator, classPath), main.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Outcome(p.exitValue(), output);
    }
}
