package io.jvmm.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The test guest built by bin/jvmm-guest-image: a Debian cloud kernel, its initramfs and a test disk. */
public record GuestImage(Path directory) {

    /** Builds the image if the cache lacks it (a no-op when warm) and returns it. */
    public static GuestImage current() {
        ProcessOutcome built = CommandRunner.run(List.of(ProjectRoot.bin("jvmm-guest-image").toString()),
                ProjectRoot.path(), Duration.ofMinutes(10));
        if (built.exitCode() != 0) {
            throw new IllegalStateException("bin/jvmm-guest-image failed: " + built.output());
        }
        List<String> lines = built.lines();
        Path dir = Path.of(lines.get(lines.size() - 1).trim());
        if (!Files.isRegularFile(dir.resolve("vmlinuz"))) {
            throw new IllegalStateException("bin/jvmm-guest-image printed " + dir + ", which has no vmlinuz");
        }
        return new GuestImage(dir);
    }

    public Path kernel() {
        return directory.resolve("vmlinuz");
    }

    public Path initramfs() {
        return directory.resolve("initramfs.img");
    }

    public Path disk() {
        return directory.resolve("disk.ext4");
    }
}
