package io.jvmm.vmm.host;

import io.jvmm.vmm.kvm.LibC;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Pointer;

/**
 * A Linux tap interface opened through /dev/net/tun (IFF_TAP, IFF_NO_PI, IFF_VNET_HDR): each
 * read or write is one Ethernet frame preceded by a virtio-net header, which the kernel acts on
 * (checksum offload, segmentation), so a virtio-net device passes the guest's frames through
 * untouched. Non-blocking.
 */
public final class TapDevice implements AutoCloseable {
    private static final long TUNSETIFF = 0x400454caL, TUNSETOFFLOAD = 0x400454d0L, TUNSETVNETHDRSZ = 0x400454d8L;
    private static final int IFF_TAP = 0x0002, IFF_NO_PI = 0x1000, IFF_VNET_HDR = 0x4000;
    private static final int IFNAMSIZ = 16, IFREQ_SIZE = 40, O_NONBLOCK = 0x800;
    /** TUNSETOFFLOAD flags: what the tap may hand us (partial checksums, TCP segments over the MTU). */
    public static final int TUN_F_CSUM = 0x01, TUN_F_TSO4 = 0x02, TUN_F_TSO6 = 0x04, TUN_F_TSO_ECN = 0x08, TUN_F_UFO = 0x10;

    private final int fd;
    private final String name;

    private TapDevice(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /** Opens (or, as root, creates) the tap {@code ifname}; an empty name lets the kernel pick one. */
    public static TapDevice open(String ifname) {
        byte[] nameBytes = ifname == null ? new byte[0] : ifname.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name '" + ifname + "' is longer than " + (IFNAMSIZ - 1) + " characters");
        }
        int fd = LibC.openPath("/dev/net/tun", LibC.O_RDWR | LibC.O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
            throw new HostCallException("open of /dev/net/tun", LibC.errno());
        }
        Pointer ifr = LibC.allocate(IFREQ_SIZE);
        ifr.put(0, nameBytes, 0, nameBytes.length);
        ifr.putShort(IFNAMSIZ, (short) (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
        if (LibC.ioctlWith(fd, TUNSETIFF, ifr) < 0) {
            int errno = LibC.errno();
            LibC.INSTANCE.close(fd);
            throw new HostCallException("TUNSETIFF of tap '" + ifname + "'", errno);
        }
        byte[] actual = new byte[IFNAMSIZ];
        ifr.get(0, actual, 0, IFNAMSIZ);
        int n = 0;
        while (n < IFNAMSIZ && actual[n] != 0) {
            n++;
        }
        TapDevice tap = new TapDevice(fd, new String(actual, 0, n, StandardCharsets.US_ASCII));
        try {
            tap.setHeaderSize(12);
            tap.setOffload(0);
        } catch (HostCallException e) {
            tap.close();
            throw e;
        }
        return tap;
    }

    public int fd() {
        return fd;
    }

    public String name() {
        return name;
    }

    /** The virtio-net header's size in front of every frame: 12 for virtio 1.x (num_buffers included). */
    public void setHeaderSize(int bytes) {
        Pointer p = LibC.allocate(4);
        p.putInt(0, bytes);
        if (LibC.ioctlWith(fd, TUNSETVNETHDRSZ, p) < 0) {
            throw new HostCallException("TUNSETVNETHDRSZ " + bytes + " on tap '" + name + "'", LibC.errno());
        }
    }

    /** Which offloaded frames (TUN_F_* flags) the tap may hand to the guest. */
    public void setOffload(int flags) {
        if (LibC.INSTANCE.ioctl(fd, TUNSETOFFLOAD, (long) flags) < 0) {
            throw new HostCallException("TUNSETOFFLOAD 0x" + Integer.toHexString(flags) + " on tap '" + name + "'", LibC.errno());
        }
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }
}
