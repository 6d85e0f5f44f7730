package io.jvmm.vmm.virtio.net;

import io.jvmm.vmm.host.EventLoop;
import io.jvmm.vmm.host.TapDevice;
import io.jvmm.vmm.host.Vhost;
import io.jvmm.vmm.kvm.LibC;
import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.memory.GuestMemoryException;
import io.jvmm.vmm.virtio.DescriptorChain;
import io.jvmm.vmm.virtio.DeviceIdentity;
import io.jvmm.vmm.virtio.DeviceRuntime;
import io.jvmm.vmm.virtio.GuestError;
import io.jvmm.vmm.virtio.Virtqueue;
import io.jvmm.vmm.virtio.vhost.VhostRings;
import java.util.ArrayDeque;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * virtio-net (virtio 1.2, 5.1) on a host tap, one queue pair. The tap speaks the guest's own
 * 12-byte virtio-net header, so frames pass through untouched in either direction: checksum
 * and segmentation offloads are the tap's to honour (TX) or to produce (RX, as far as the
 * guest accepted them). User space: TX gathers a chain straight from guest memory into the tap
 * (writev), RX reads the tap straight into the guest's buffers (readv, merging buffers when
 * the guest allows). With vhost-net, the kernel serves both queues and this class only sets it up.
 */
public final class VirtioNet extends DeviceIdentity {
    static final int RX = 0, TX = 1, QUEUE_SIZE = 256, HEADER_SIZE = 12, NUM_BUFFERS_OFFSET = 10;
    static final long CSUM = 1L, GUEST_CSUM = 1L << 1, MAC = 1L << 5, GUEST_TSO4 = 1L << 7, GUEST_TSO6 = 1L << 8,
            GUEST_ECN = 1L << 9, GUEST_UFO = 1L << 10, HOST_TSO4 = 1L << 11, HOST_TSO6 = 1L << 12, HOST_ECN = 1L << 13,
            MRG_RXBUF = 1L << 15, STATUS = 1L << 16;
    static final long OFFERED = CSUM | GUEST_CSUM | MAC | GUEST_TSO4 | GUEST_TSO6 | GUEST_ECN | HOST_TSO4 | HOST_TSO6
            | HOST_ECN | MRG_RXBUF | STATUS;
    private static final int CLASS_ETHERNET = 0x020000, LINK_UP = 1;
    /** The largest frame the tap hands over: a 64 KiB GSO frame with its Ethernet and VLAN headers; or an MTU-sized one. */
    static final int BIG_FRAME = HEADER_SIZE + 65535 + 14 + 4, SMALL_FRAME = HEADER_SIZE + 1514 + 4;
    private static final long VHOST_NET_SET_BACKEND = 0x4008af30L;
    private static final int MAX_IOV = 1024, RX_BATCH = 64;

    private final TapDevice tap;
    private final VhostRings vhost;
    private final byte[] config;
    private final Pointer iov = LibC.allocate(MAX_IOV * 16L);
    private final ArrayDeque<DescriptorChain> held = new ArrayDeque<>();
    private long heldCapacity;
    private DeviceRuntime runtime;
    private boolean mergeable, bigFrames, watching, rxScheduled;

    /** {@code vhost} is null for the user-space datapath. */
    public VirtioNet(String id, TapDevice tap, Vhost vhost, byte[] mac) {
        super(1, CLASS_ETHERNET, id, 2, QUEUE_SIZE);
        this.tap = tap;
        this.vhost = vhost == null ? null : new VhostRings(vhost, RX, TX);
        this.config = config(mac);
    }

    /** The device configuration (5.1.4): mac, status (link up), max_virtqueue_pairs. */
    static byte[] config(byte[] mac) {
        if (mac.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes");
        }
        byte[] c = new byte[10];
        System.arraycopy(mac, 0, c, 0, 6);
        c[6] = LINK_UP;
        c[8] = 1;
        return c;
    }

    /**
     * What the tap may hand the guest (TUNSETOFFLOAD), from the features the guest accepted:
     * partial checksums with GUEST_CSUM, and on top of that TCP segments over the MTU with
     * GUEST_TSO4/6 (and ECN with GUEST_ECN). The kernel refuses segmentation without checksums.
     */
    static int tapOffloads(long features) {
        if ((features & GUEST_CSUM) == 0) {
            return 0;
        }
        int o = TapDevice.TUN_F_CSUM;
        if ((features & GUEST_TSO4) != 0) {
            o |= TapDevice.TUN_F_TSO4;
        }
        if ((features & GUEST_TSO6) != 0) {
            o |= TapDevice.TUN_F_TSO6;
        }
        if ((features & GUEST_ECN) != 0 && (o & (TapDevice.TUN_F_TSO4 | TapDevice.TUN_F_TSO6)) != 0) {
            o |= TapDevice.TUN_F_TSO_ECN;
        }
        return o;
    }

    /** The largest frame (with its header) the guest may be handed under {@code features}. */
    static int maxFrame(long features) {
        return (features & (GUEST_TSO4 | GUEST_TSO6 | GUEST_UFO)) != 0 ? BIG_FRAME : SMALL_FRAME;
    }

    @Override
    public long features() {
        return vhost == null ? OFFERED : OFFERED & ~(MRG_RXBUF & ~vhost.vhost().features());
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            int at = offset + i;
            data[i] = at >= 0 && at < config.length ? config[at] : 0;
        }
    }

    @Override
    public void activate(DeviceRuntime rt) {
        runtime = rt;
        long features = rt.features();
        tap.setOffload(tapOffloads(features));
        if (vhost != null) {
            vhost.start(rt);
            for (int q : new int[] {RX, TX}) {
                if (rt.queue(q) != null) {
                    vhost.vhost().ringFile(VHOST_NET_SET_BACKEND, "VHOST_NET_SET_BACKEND", q, tap.fd());
                }
            }
            return;
        }
        mergeable = (features & MRG_RXBUF) != 0;
        bigFrames = maxFrame(features) == BIG_FRAME;
        held.clear();
        heldCapacity = 0;
        rt.loop().watch(tap.fd(), EventLoop.READABLE | EventLoop.EDGE_TRIGGERED, this::tapReadable);
        watching = true;
    }

    @Override
    public void reset() {
        if (vhost != null) {
            for (int q : new int[] {RX, TX}) {
                try {
                    vhost.vhost().ringFile(VHOST_NET_SET_BACKEND, "VHOST_NET_SET_BACKEND", q, -1);
                } catch (RuntimeException e) {
                    // The ring had no backend.
                }
            }
            vhost.stop();
        }
        stopWatching();
        held.clear();
        heldCapacity = 0;
        runtime = null;
    }

    private void stopWatching() {
        if (watching && runtime != null) {
            runtime.loop().unwatch(tap.fd());
        }
        watching = false;
    }

    @Override
    public void queueNotified(int index) {
        if (runtime == null || vhost != null) {
            return;
        }
        try {
            if (index == TX) {
                transmit();
            } else if (index == RX) {
                receive();
            }
        } catch (GuestError | GuestMemoryException e) {
            stopWatching();
            throw e;
        }
    }

    /** Every chain the guest queued for sending goes to the tap as one frame, header and all. */
    private void transmit() {
        DeviceRuntime rt = runtime;
        Virtqueue q = rt.queue(TX);
        if (q == null) {
            return;
        }
        GuestMemory memory = rt.memory();
        boolean any = false;
        DescriptorChain c;
        while ((c = q.pop()) != null) {
            if (c.readableLength() > HEADER_SIZE) {
                int n = fill(memory, c.readable(), 0);
                if (n > 0) {
                    // A frame the tap refuses (a malformed header) is dropped, as on a wire.
                    LibC.INSTANCE.writev(tap.fd(), iov, n);
                }
            }
            q.push(c.head(), 0);
            any = true;
        }
        if (any) {
            rt.notifyQueue(TX);
        }
    }

    private void tapReadable() {
        DeviceRuntime rt = runtime;
        if (rt == null) {
            return;
        }
        try {
            receive();
        } catch (GuestError | GuestMemoryException e) {
            stopWatching();
            rt.fail(e.getMessage());
        }
    }

    /**
     * Reads frames from the tap into the guest's receive buffers until the tap is empty or the
     * guest has no room for a frame; then the guest's next kick of the receive queue (it adds
     * buffers) resumes here, since the tap's edge-triggered readiness does not fire again.
     */
    private void receive() {
        DeviceRuntime rt = runtime;
        Virtqueue q = rt.queue(RX);
        if (q == null) {
            return;
        }
        GuestMemory memory = rt.memory();
        int need = bigFrames ? BIG_FRAME : SMALL_FRAME;
        int frames = 0;
        try {
            while (frames < RX_BATCH) {
                boolean exhausted = false;
                while (heldCapacity < need && (mergeable || held.isEmpty())) {
                    DescriptorChain c = q.pop();
                    if (c == null) {
                        exhausted = true;
                        break;
                    }
                    if (c.writableLength() < HEADER_SIZE) {
                        throw new GuestError("receive buffer " + c.head() + " of " + c.writableLength()
                                + " bytes cannot hold the " + HEADER_SIZE + "-byte header");
                    }
                    held.add(c);
                    heldCapacity += c.writableLength();
                }
                // Short of room for the largest frame, read only when the guest has nothing more
                // to give and a full-MTU frame fits (a larger one is then lost, as TCP recovers).
                if (held.isEmpty() || heldCapacity < need && (!exhausted || heldCapacity < SMALL_FRAME) && mergeable) {
                    break;
                }
                int n = 0;
                for (DescriptorChain c : held) {
                    n = fill(memory, c.writable(), n);
                    if (!mergeable) {
                        break;
                    }
                }
                long got = LibC.INSTANCE.readv(tap.fd(), iov, n);
                if (got <= 0) {
                    break; // EAGAIN: the tap is empty (the edge fires again when a frame comes)
                }
                deliver(memory, q, got);
                frames++;
            }
        } finally {
            if (frames > 0) {
                rt.notifyQueue(RX);
            }
        }
        if (frames == RX_BATCH && !rxScheduled) {
            // Let transmission (and other devices on this loop) in before reading on.
            rxScheduled = true;
            rt.loop().execute(() -> {
                rxScheduled = false;
                if (runtime == rt) {
                    tapReadable();
                }
            });
        }
    }

    /** Hands {@code length} bytes just read to the guest: as many held chains as they fill, counted in the header. */
    private void deliver(GuestMemory memory, Virtqueue q, long length) {
        int used = 0;
        long left = length;
        for (DescriptorChain c : held) {
            used++;
            left -= c.writableLength();
            if (left <= 0 || !mergeable) {
                break;
            }
        }
        putShort(memory, held.peekFirst().writable(), NUM_BUFFERS_OFFSET, used);
        left = length;
        for (int i = 0; i < used; i++) {
            DescriptorChain c = held.pollFirst();
            heldCapacity -= c.writableLength();
            int n = (int) Math.min(left, c.writableLength());
            q.push(c.head(), n);
            left -= n;
        }
    }

    /** Appends {@code segments} to the iovec array from entry {@code at}; returns the new count. */
    private int fill(GuestMemory memory, List<DescriptorChain.Segment> segments, int at) {
        for (DescriptorChain.Segment s : segments) {
            if (at == MAX_IOV) {
                break;
            }
            if (s.length() == 0) {
                continue;
            }
            iov.putLong(at * 16L, memory.hostAddress(s.address(), s.length()));
            iov.putLong(at * 16L + 8, s.length());
            at++;
        }
        return at;
    }

    /** Writes a little-endian 16-bit {@code value} at byte {@code offset} of the buffers {@code segments}. */
    static void putShort(GuestMemory memory, List<DescriptorChain.Segment> segments, int offset, int value) {
        for (int b = 0; b < 2; b++) {
            long at = offset + b;
            for (DescriptorChain.Segment s : segments) {
                if (at < s.length()) {
                    memory.writeByte(s.address() + at, (byte) (value >>> (8 * b)));
                    break;
                }
                at -= s.length();
            }
        }
    }

    @Override
    public void close() {
        // The tap and the vhost descriptor belong to the VMM's backends, which outlive a reboot.
    }
}
