package io.jvmm.vmm.host;

import io.jvmm.vmm.kvm.LibC;
import jnr.ffi.Pointer;

/**
 * A Linux eventfd: a counter one thread (or KVM, for an ioeventfd) adds to and another waits
 * on through an {@link EventLoop}. Non-blocking: {@link #drain()} returns 0 when nothing is
 * pending.
 */
public final class EventFd implements AutoCloseable {
    private static final int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;
    private static final ThreadLocal<Pointer> COUNTER = ThreadLocal.withInitial(
            () -> LibC.allocate(8));
    private final int fd;

    private EventFd(int fd) {
        this.fd = fd;
    }

    public static EventFd create() {
        int fd = LibC.INSTANCE.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0) {
            throw new HostCallException("eventfd", LibC.errno());
        }
        return new EventFd(fd);
    }

    public int fd() {
        return fd;
    }

    public void signal() {
        Pointer p = COUNTER.get();
        p.putLong(0, 1);
        LibC.INSTANCE.write(fd, p, 8);
    }

    /** Reads and resets the counter; 0 when it was not signalled. */
    public long drain() {
        Pointer p = COUNTER.get();
        long n = LibC.INSTANCE.read(fd, p, 8);
        return n == 8 ? p.getLong(0) : 0;
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }
}
