package io.jvmm.vmm.chardev;

import io.jvmm.vmm.kvm.LibC;
import java.io.IOException;
import java.io.OutputStream;
import jnr.ffi.LibraryLoader;

/**
 * -serial pty, -chardev pty: a new pseudo-terminal whose slave path is announced on stderr the
 * way QEMU does ("char device redirected to /dev/pts/N (label serial0)"), which libvirt and
 * people parse. As QEMU's: the terminal is raw (no echo, no line editing, no newline mapping:
 * the guest's bytes pass as they are), the guest's output never waits for a reader (with nobody
 * on the slave side, or one who reads too slowly, bytes are dropped), and a viewer may close the
 * slave and open it again at any time: input resumes with the next one.
 */
public final class PtyBackend implements CharBackend {
    /** The C calls a pty needs; Java has none. */
    public interface PtyCalls {
        int posix_openpt(int flags);

        int grantpt(int fd);

        int unlockpt(int fd);

        String ptsname(int fd);

        int open(String path, int flags);

        int close(int fd);

        long read(int fd, @jnr.ffi.annotations.Out byte[] buf, @jnr.ffi.types.size_t long count);

        long write(int fd, @jnr.ffi.annotations.In byte[] buf, @jnr.ffi.types.size_t long count);

        int fcntl(int fd, int command, int argument);

        int tcgetattr(int fd, @jnr.ffi.annotations.Out byte[] termios);

        void cfmakeraw(@jnr.ffi.annotations.In @jnr.ffi.annotations.Out byte[] termios);

        int tcsetattr(int fd, int when, @jnr.ffi.annotations.In byte[] termios);

        int poll(@jnr.ffi.annotations.In @jnr.ffi.annotations.Out byte[] fds, long count, int timeoutMillis);
    }

    private static final int O_RDWR = 0x2, O_NOCTTY = 0x100, O_NONBLOCK = 0x800;
    private static final int F_GETFL = 3, F_SETFL = 4, TCSANOW = 0;
    private static final short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10;
    /** glibc's struct termios is 60 bytes; room to spare. */
    private static final int TERMIOS_SIZE = 64;
    /** How often a reader that found nobody on the slave side looks again. */
    private static final int IDLE_MILLIS = 200;

    private final String slave;
    private final String label;
    private final PtyCalls calls;
    private final int master;

    public PtyBackend(String label) throws IOException {
        PtyCalls c = LibraryLoader.create(PtyCalls.class).load(LibC.NAME);
        int fd = c.posix_openpt(O_RDWR | O_NOCTTY);
        if (fd < 0 || c.grantpt(fd) != 0 || c.unlockpt(fd) != 0) {
            throw new IOException("cannot create a pseudo-terminal");
        }
        String path = c.ptsname(fd);
        makeRaw(c, path);
        int flags = c.fcntl(fd, F_GETFL, 0);
        if (flags < 0 || c.fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
            throw new IOException("cannot make the pseudo-terminal " + path + " non-blocking");
        }
        this.slave = path;
        this.label = label;
        this.calls = c;
        this.master = fd;
        System.err.println("char device redirected to " + slave + " (label " + label + ")");
    }

    /** The terminal's settings live with its slave side, which is opened for that only, as QEMU does. */
    private static void makeRaw(PtyCalls c, String path) throws IOException {
        int fd = c.open(path, O_RDWR | O_NOCTTY);
        if (fd < 0) {
            throw new IOException("cannot open the pseudo-terminal " + path);
        }
        try {
            byte[] termios = new byte[TERMIOS_SIZE];
            if (c.tcgetattr(fd, termios) != 0) {
                throw new IOException("cannot read the settings of " + path);
            }
            c.cfmakeraw(termios);
            if (c.tcsetattr(fd, TCSANOW, termios) != 0) {
                throw new IOException("cannot make " + path + " raw");
            }
        } finally {
            c.close(fd);
        }
    }

    public String slavePath() {
        return slave;
    }

    @Override
    public OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                byte[] rest = off == 0 && len == b.length ? b : java.util.Arrays.copyOfRange(b, off, off + len);
                while (rest.length > 0) {
                    long n = calls.write(master, rest, rest.length);
                    if (n <= 0) {
                        // Full (nobody reads, or too slowly) or nobody there: the guest never waits.
                        return;
                    }
                    rest = java.util.Arrays.copyOfRange(rest, (int) n, rest.length);
                }
            }
        };
    }

    @Override
    public void connectInput(InputSink sink) {
        Thread t = new Thread(() -> pumpInput(sink), "pty-" + label);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Delivers what viewers type, for as long as the VMM runs: while nobody holds the slave side
     * open (before the first viewer, between two) the master reads nothing or fails, and the
     * pump waits for the next viewer instead of ending.
     */
    private void pumpInput(InputSink sink) {
        byte[] pollFd = new byte[8];
        byte[] buffer = new byte[256];
        while (!Thread.currentThread().isInterrupted()) {
            java.nio.ByteBuffer.wrap(pollFd).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, master)
                    .putShort(4, POLLIN).putShort(6, (short) 0);
            int ready = calls.poll(pollFd, 1, 1000);
            short revents = java.nio.ByteBuffer.wrap(pollFd).order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort(6);
            long n = ready > 0 && (revents & POLLIN) != 0 ? calls.read(master, buffer, buffer.length) : 0;
            if (n > 0) {
                sink.receive(buffer, (int) n);
            } else if (ready < 0 || (revents & (POLLHUP | POLLERR)) != 0 || n < 0) {
                idle();
            }
        }
    }

    private static void idle() {
        try {
            Thread.sleep(IDLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        // The descriptor goes with the process; the slave's users see a hangup then.
    }
}
