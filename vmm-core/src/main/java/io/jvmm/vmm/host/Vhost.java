package io.jvmm.vmm.host;

import io.jvmm.vmm.kvm.LibC;
import jnr.ffi.Pointer;

/**
 * A vhost device (/dev/vhost-net, /dev/vhost-vsock): the kernel serves a virtio device's
 * queues itself, straight from guest memory, woken by the queue's kick eventfd and signalling
 * its call eventfd. The VMM only describes guest memory (as host addresses) and the rings.
 * Opened once, with this process as owner; {@link #stop} hands the rings back for a reset.
 */
public final class Vhost implements AutoCloseable {
    private static final long GET_FEATURES = 0x8008af00L, SET_FEATURES = 0x4008af00L, SET_OWNER = 0xaf01L,
            SET_MEM_TABLE = 0x4008af03L, SET_VRING_NUM = 0x4008af10L, SET_VRING_ADDR = 0x4028af11L,
            SET_VRING_BASE = 0x4008af12L, GET_VRING_BASE = 0xc008af12L, SET_VRING_KICK = 0x4008af20L,
            SET_VRING_CALL = 0x4008af21L;
    private static final int O_NONBLOCK = 0x800, MEMORY_REGION_SIZE = 32;

    /** One range of guest RAM and where this process maps it. */
    public record MemoryRegion(long guestAddress, long size, long hostAddress) {}

    /** Where one ring's parts lie, as host addresses of this process. */
    public record Ring(int size, long descHost, long availHost, long usedHost) {}

    private final String path;
    private final int fd;
    private final long features;

    private Vhost(String path, int fd, long features) {
        this.path = path;
        this.fd = fd;
        this.features = features;
    }

    /** Opens {@code path} and becomes its owner (the kernel starts the device's worker thread). */
    public static Vhost open(String path) {
        int fd = LibC.openPath(path, LibC.O_RDWR | LibC.O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
            throw new HostCallException("open of " + path, LibC.errno());
        }
        try {
            if (LibC.INSTANCE.ioctl(fd, SET_OWNER, 0L) < 0) {
                throw new HostCallException("VHOST_SET_OWNER on " + path, LibC.errno());
            }
            Pointer p = LibC.allocate(8);
            if (LibC.ioctlWith(fd, GET_FEATURES, p) < 0) {
                throw new HostCallException("VHOST_GET_FEATURES on " + path, LibC.errno());
            }
            return new Vhost(path, fd, p.getLong(0));
        } catch (HostCallException e) {
            LibC.INSTANCE.close(fd);
            throw e;
        }
    }

    public int fd() {
        return fd;
    }

    public String path() {
        return path;
    }

    /** The virtio (and vhost) feature bits the kernel's device supports. */
    public long features() {
        return features;
    }

    public void setFeatures(long acked) {
        ioctl(SET_FEATURES, longArg(acked), "VHOST_SET_FEATURES 0x" + Long.toHexString(acked));
    }

    public void setMemoryTable(Iterable<MemoryRegion> regions) {
        int n = 0;
        for (MemoryRegion ignored : regions) {
            n++;
        }
        Pointer p = LibC.allocate(8 + (long) n * MEMORY_REGION_SIZE);
        p.putInt(0, n);
        int i = 0;
        for (MemoryRegion r : regions) {
            long at = 8 + (long) i++ * MEMORY_REGION_SIZE;
            p.putLong(at, r.guestAddress());
            p.putLong(at + 8, r.size());
            p.putLong(at + 16, r.hostAddress());
            p.putLong(at + 24, 0);
        }
        ioctl(SET_MEM_TABLE, p, "VHOST_SET_MEM_TABLE");
    }

    /** Hands ring {@code index} to the kernel: its size, where it lies, where to start, and its eventfds. */
    public void startRing(int index, Ring ring, int base, EventFd kick, EventFd call) {
        ioctl(SET_VRING_NUM, pair(index, ring.size()), "VHOST_SET_VRING_NUM " + index);
        ioctl(SET_VRING_BASE, pair(index, base), "VHOST_SET_VRING_BASE " + index);
        Pointer a = LibC.allocate(40);
        a.putInt(0, index);
        a.putInt(4, 0);
        a.putLong(8, ring.descHost());
        a.putLong(16, ring.usedHost());
        a.putLong(24, ring.availHost());
        a.putLong(32, 0);
        ioctl(SET_VRING_ADDR, a, "VHOST_SET_VRING_ADDR " + index);
        ioctl(SET_VRING_KICK, pair(index, kick.fd()), "VHOST_SET_VRING_KICK " + index);
        ioctl(SET_VRING_CALL, pair(index, call.fd()), "VHOST_SET_VRING_CALL " + index);
    }

    /** Takes ring {@code index} back (the kernel stops serving it); returns where it had got to. */
    public int stopRing(int index) {
        Pointer p = pair(index, 0);
        ioctl(GET_VRING_BASE, p, "VHOST_GET_VRING_BASE " + index);
        ioctl(SET_VRING_KICK, pair(index, -1), "VHOST_SET_VRING_KICK " + index);
        ioctl(SET_VRING_CALL, pair(index, -1), "VHOST_SET_VRING_CALL " + index);
        return p.getInt(4);
    }

    /** A device-specific ioctl whose argument is a vhost_vring_file (index, fd), such as VHOST_NET_SET_BACKEND. */
    public void ringFile(long request, String name, int index, int fileFd) {
        ioctl(request, pair(index, fileFd), name + " " + index);
    }

    /** A device-specific ioctl taking a pointer to a 64-bit value (VHOST_VSOCK_SET_GUEST_CID). */
    public void setLong(long request, String name, long value) {
        ioctl(request, longArg(value), name + " " + value);
    }

    /** A device-specific ioctl taking a pointer to an int (VHOST_VSOCK_SET_RUNNING). */
    public void setInt(long request, String name, int value) {
        Pointer p = LibC.allocate(4);
        p.putInt(0, value);
        ioctl(request, p, name + " " + value);
    }

    private static Pointer pair(int a, int b) {
        Pointer p = LibC.allocate(8);
        p.putInt(0, a);
        p.putInt(4, b);
        return p;
    }

    private static Pointer longArg(long v) {
        Pointer p = LibC.allocate(8);
        p.putLong(0, v);
        return p;
    }

    private void ioctl(long request, Pointer arg, String what) {
        if (LibC.ioctlWith(fd, request, arg) < 0) {
            throw new HostCallException(what + " on " + path, LibC.errno());
        }
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }
}
