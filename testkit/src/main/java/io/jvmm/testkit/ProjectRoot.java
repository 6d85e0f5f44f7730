package io.jvmm.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout's root directory, where bin/ and guest/ live. */
public final class ProjectRoot {
    private ProjectRoot() {}

    /**
     * Surefire passes the root as the system property jvmm.root; an IDE run may not, so fall
     * back to walking up from the working directory to the directory that has bin/jvmm-sandbox.
     */
    public static Path path() {
        String configured = System.getProperty("jvmm.root");
        if (configured != null && Files.isDirectory(Path.of(configured, "bin"))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isExecutable(dir.resolve("bin/jvmm-sandbox"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the jvmm checkout: set -Djvmm.root=PATH");
    }

    public static Path bin(String name) {
        return path().resolve("bin").resolve(name);
    }
}
