package io.jvmm.vmm.host;

import io.jvmm.vmm.kvm.LibC;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * How jvmm opens the files its command line names (kernel, initrd, disks, entropy source). With
 * JVMM_ALLOWED_ROOTS set (':'-separated directories; the node agent sets the node's allowed
 * roots), each file is opened by jvmm itself with openat2(2) beneath the root that holds it,
 * following no symbolic link anywhere in its path: a symlink swapped in after the agent checked
 * the path, or one that points out of the root, is refused, not followed. Without it, files are
 * opened as QEMU opens them. Where the kernel lacks openat2 (Linux before 5.6), the last
 * component is opened with O_NOFOLLOW and the real path must lie in a root: the directories
 * above it are checked, not held.
 */
public final class HostFiles {
    public static final String ROOTS_ENV = "JVMM_ALLOWED_ROOTS";
    private static final long SYS_OPENAT2 = 437;
    private static final int O_RDONLY = 0, O_NOFOLLOW = 0x20000, O_DIRECTORY = 0x10000, O_PATH = 0x200000;
    private static final long RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08;
    private static final int ENOSYS = 38, ELOOP = 40, EXDEV = 18;

    private static final class Process {
        static final HostFiles FILES = fromRoots(System.getenv(ROOTS_ENV));
    }

    private final List<Path> roots;

    private HostFiles(List<Path> roots) {
        this.roots = roots;
    }

    /** The policy of this process, from JVMM_ALLOWED_ROOTS. */
    public static HostFiles forThisProcess() {
        return Process.FILES;
    }

    /** Files beneath these roots (':'-separated), or anywhere when null or empty. */
    public static HostFiles fromRoots(String roots) {
        List<Path> list = new ArrayList<>();
        if (roots != null) {
            for (String r : roots.split(":")) {
                if (!r.isBlank()) {
                    list.add(Path.of(r).toAbsolutePath().normalize());
                }
            }
        }
        return new HostFiles(List.copyOf(list));
    }

    public FileChannel openForReading(Path file) throws IOException {
        return open(file, false);
    }

    public FileChannel openForWriting(Path file) throws IOException {
        return open(file, true);
    }

    private FileChannel open(Path file, boolean write) throws IOException {
        StandardOpenOption[] options = write ? new StandardOpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE}
                : new StandardOpenOption[] {StandardOpenOption.READ};
        if (roots.isEmpty()) {
            return FileChannel.open(file, options);
        }
        Path absolute = file.toAbsolutePath();
        if (!absolute.normalize().equals(absolute)) {
            throw new IOException("'" + file + "' has '.' or '..' in it; jvmm takes plain paths under " + ROOTS_ENV);
        }
        Path root = roots.stream().filter(absolute::startsWith).findFirst().orElseThrow(() -> new IOException("'" + file
                + "' is outside the allowed roots (" + String.join(":", roots.stream().map(Path::toString).toList()) + ")"));
        int fd = openBeneath(root, root.relativize(absolute), write, file);
        try {
            // The descriptor's own file, named through /proc: no path is resolved again.
            return FileChannel.open(Path.of("/proc/self/fd/" + fd), options);
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    private static int openBeneath(Path root, Path relative, boolean write, Path file) throws IOException {
        int dir = LibC.openPath(root.toString(), O_PATH | O_DIRECTORY | LibC.O_CLOEXEC);
        if (dir < 0) {
            throw new IOException("cannot open the allowed root " + root + ": " + LibC.describe(LibC.errno()));
        }
        try {
            int flags = (write ? LibC.O_RDWR : O_RDONLY) | LibC.O_CLOEXEC;
            byte[] name = relative.toString().getBytes(StandardCharsets.UTF_8);
            Pointer path = LibC.allocate(name.length + 1);
            path.put(0, name, 0, name.length);
            // struct open_how: u64 flags, u64 mode, u64 resolve.
            Pointer how = LibC.allocate(24);
            how.putLong(0, flags);
            how.putLong(16, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
            long fd;
            try {
                fd = LibC.INSTANCE.syscall(SYS_OPENAT2, dir, path, how, 24);
            } finally {
                java.lang.ref.Reference.reachabilityFence(path);
                java.lang.ref.Reference.reachabilityFence(how);
            }
            if (fd >= 0) {
                return (int) fd;
            }
            int errno = LibC.errno();
            if (errno == ENOSYS) {
                return openWithoutOpenat2(root, file, flags);
            }
            throw new IOException(switch (errno) {
                case ELOOP -> "'" + file + "' has a symbolic link in its path; under " + ROOTS_ENV
                        + " jvmm follows none: name the file itself";
                case EXDEV -> "'" + file + "' leads out of " + root;
                default -> "cannot open '" + file + "': " + LibC.describe(errno);
            });
        } finally {
            LibC.INSTANCE.close(dir);
        }
    }

    private static int openWithoutOpenat2(Path root, Path file, int flags) throws IOException {
        if (!file.toRealPath().startsWith(root)) {
            throw new IOException("'" + file + "' resolves to " + file.toRealPath() + ", outside " + root);
        }
        int fd = LibC.openPath(file.toString(), flags | O_NOFOLLOW);
        if (fd < 0) {
            throw new IOException("cannot open '" + file + "': " + LibC.describe(LibC.errno()));
        }
        return fd;
    }
}
