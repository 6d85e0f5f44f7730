package io.jvmm.vmm.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files of the command line opened beneath the allowed roots, with no symbolic link followed. */
class HostFilesTest {
    @TempDir
    Path dir;
    Path root;
    Path disk;
    HostFiles files;

    @BeforeEach
    void layOut() throws Exception {
        root = Files.createDirectories(dir.resolve("images"));
        disk = Files.writeString(root.resolve("disk.img"), "guest data");
        Files.writeString(dir.resolve("secret"), "host secret");
        files = HostFiles.fromRoots(root + ":" + dir.resolve("other"));
    }

    private static String read(FileChannel ch) throws Exception {
        try (ch) {
            ByteBuffer b = ByteBuffer.allocate(64);
            ch.read(b, 0);
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aPlainFileBeneathARootOpensForReadingAndWriting() throws Exception {
        assertThat(read(files.openForReading(disk))).isEqualTo("guest data");
        try (FileChannel ch = files.openForWriting(disk)) {
            ch.write(ByteBuffer.wrap("GUEST".getBytes(StandardCharsets.UTF_8)), 0);
        }
        assertThat(Files.readString(disk)).isEqualTo("GUEST data");
    }

    /** The agent checked the path; then the file became a symlink to a host file. jvmm refuses it. */
    @Test
    void aSymlinkSwappedInAfterTheCheckIsNotFollowed() throws Exception {
        Files.delete(disk);
        Files.createSymbolicLink(disk, dir.resolve("secret"));
        assertThatThrownBy(() -> files.openForReading(disk)).hasMessageContaining("has a symbolic link in its path");
        assertThatThrownBy(() -> files.openForWriting(disk)).hasMessageContaining("has a symbolic link in its path");
    }

    @Test
    void aSymlinkedDirectoryInThePathIsNotFollowedEither() throws Exception {
        Files.createSymbolicLink(root.resolve("linked"), dir);
        assertThatThrownBy(() -> files.openForReading(root.resolve("linked/secret")))
                .hasMessageContaining("has a symbolic link in its path");
        // Even one that stays inside the root: jvmm follows none.
        Files.createSymbolicLink(root.resolve("same"), root);
        assertThatThrownBy(() -> files.openForReading(root.resolve("same/disk.img")))
                .hasMessageContaining("has a symbolic link in its path");
    }

    @Test
    void pathsOutsideTheRootsOrWithDotDotAreRefused() {
        assertThatThrownBy(() -> files.openForReading(dir.resolve("secret"))).hasMessageContaining("outside the allowed roots");
        assertThatThrownBy(() -> files.openForReading(root.resolve("../secret"))).hasMessageContaining("'..'");
    }

    @Test
    void withoutRootsFilesOpenAsQemuOpensThem() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("link.img"), disk);
        assertThat(read(HostFiles.fromRoots(null).openForReading(link))).isEqualTo("guest data");
    }
}
