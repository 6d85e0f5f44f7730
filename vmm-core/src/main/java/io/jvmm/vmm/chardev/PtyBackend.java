package io.jvmm.vmm.chardev;

import io.jvmm.vmm.kvm.LibC;
import java.io.InputStream;
import java.io.IOException;
import java.io.OutputStream;
import jnr.ffi.LibraryLoader;

/**
 * -serial pty: a new pseudo-terminal whose slave path is announced on stderr the way QEMU does
 * ("char device redirected to /dev/pts/N (label serial0)"), which libvirt and people parse.
 */
public final class PtyBackend implements CharBackend {
    /** The C calls that create a pty; Java has none. */
    public interface PtyCalls {
        int posix_openpt(int flags);

        int grantpt(int fd);

        int unlockpt(int fd);

        String ptsname(int fd);

        long read(int fd, @jnr.ffi.annotations.Out byte[] buf, @jnr.ffi.types.size_t long count);

        long write(int fd, @jnr.ffi.annotations.In byte[] buf, @jnr.ffi.types.size_t long count);
    }

    private static final int O_RDWR = 0x2, O_NOCTTY = 0x100;
    private final String slave;
    private final PtyCalls calls;
    private final int master;

    public PtyBackend(String label) throws IOException {
        PtyCalls c = LibraryLoader.create(PtyCalls.class).load(LibC.NAME);
        int fd = c.posix_openpt(O_RDWR | O_NOCTTY);
        if (fd < 0 || c.grantpt(fd) != 0 || c.unlockpt(fd) != 0) {
            throw new IOException("cannot create a pseudo-terminal");
        }
        slave = c.ptsname(fd);
        calls = c;
        master = fd;
        System.err.println("char device redirected to " + slave + " (label " + label + ")");
    }

    public String slavePath() {
        return slave;
    }

    @Override
    public OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                // With no one on the slave side the pty buffer fills; the byte is then dropped.
                calls.write(master, new byte[] {(byte) b}, 1);
            }
        };
    }

    @Override
    public void connectInput(InputSink sink) {
        CharBackend.pump("serial-pty", new InputStream() {
            @Override
            public int read() {
                byte[] b = new byte[1];
                return read(b, 0, 1) == 1 ? b[0] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                byte[] buf = new byte[len];
                long n = calls.read(master, buf, len);
                if (n <= 0) {
                    return -1;
                }
                System.arraycopy(buf, 0, b, off, (int) n);
                return (int) n;
            }
        }, sink);
    }

    @Override
    public void close() {
        // The descriptor goes with the process; the slave's users see a hangup then.
    }
}
