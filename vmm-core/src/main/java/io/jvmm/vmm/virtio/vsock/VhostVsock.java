package io.jvmm.vmm.virtio.vsock;

import io.jvmm.vmm.host.Vhost;
import io.jvmm.vmm.virtio.DeviceIdentity;
import io.jvmm.vmm.virtio.DeviceRuntime;
import io.jvmm.vmm.virtio.vhost.VhostRings;

/**
 * virtio-vsock (virtio 1.2, 5.10) on the kernel's vhost-vsock: the host's AF_VSOCK sockets
 * reach the guest at its CID. The kernel serves the receive and transmit queues; the event
 * queue stays here, where its buffers are only held (jvmm sends no transport events).
 */
public final class VhostVsock extends DeviceIdentity {
    static final int RX = 0, TX = 1, EVENT = 2, QUEUE_SIZE = 128;
    private static final int CLASS_COMMUNICATION_OTHER = 0x078000;
    private static final long SET_GUEST_CID = 0x4008af60L, SET_RUNNING = 0x4004af61L;
    /** VIRTIO_VSOCK_F_SEQPACKET, offered when the kernel has it. */
    static final long SEQPACKET = 1L << 1;

    private final long guestCid;
    private final VhostRings rings;
    private boolean running;

    public VhostVsock(String id, Vhost vhost, long guestCid) {
        super(19, CLASS_COMMUNICATION_OTHER, id, 3, QUEUE_SIZE);
        this.guestCid = guestCid;
        this.rings = new VhostRings(vhost, RX, TX);
    }

    /** Claims {@code guestCid} for {@code vhost}'s device: fails at start when another VM holds it. */
    public static void claimCid(Vhost vhost, long guestCid) {
        vhost.setLong(SET_GUEST_CID, "VHOST_VSOCK_SET_GUEST_CID", guestCid);
    }

    /** The device configuration (5.10.4): the guest's CID, 64 bits little-endian. */
    static byte[] config(long guestCid) {
        byte[] c = new byte[8];
        for (int i = 0; i < 8; i++) {
            c[i] = (byte) (guestCid >>> (8 * i));
        }
        return c;
    }

    @Override
    public long features() {
        return rings.supported(SEQPACKET);
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        byte[] c = config(guestCid);
        for (int i = 0; i < data.length; i++) {
            int at = offset + i;
            data[i] = at >= 0 && at < c.length ? c[at] : 0;
        }
    }

    @Override
    public void activate(DeviceRuntime runtime) {
        rings.start(runtime);
        rings.vhost().setInt(SET_RUNNING, "VHOST_VSOCK_SET_RUNNING", 1);
        running = true;
    }

    @Override
    public void queueNotified(int index) {
        // The event queue's buffers wait for events that jvmm never sends; the others are the kernel's.
    }

    @Override
    public void reset() {
        if (running) {
            running = false;
            try {
                rings.vhost().setInt(SET_RUNNING, "VHOST_VSOCK_SET_RUNNING", 0);
            } catch (RuntimeException e) {
                System.err.println("jvmm: vsock '" + id() + "': " + e.getMessage());
            }
        }
        rings.stop();
    }
}
