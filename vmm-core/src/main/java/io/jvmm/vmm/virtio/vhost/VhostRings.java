package io.jvmm.vmm.virtio.vhost;

import io.jvmm.vmm.host.EventFd;
import io.jvmm.vmm.host.Vhost;
import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.memory.GuestRegion;
import io.jvmm.vmm.virtio.DeviceRuntime;
import io.jvmm.vmm.virtio.Virtqueue;
import java.util.ArrayList;
import java.util.List;

/**
 * What every vhost-backed virtio device does on activation and reset: tell the kernel the
 * accepted features and the guest's memory, hand it some of the queues (with the transport's
 * kick eventfd and a call eventfd bound to the queue's MSI-X vector), and take them back.
 */
public final class VhostRings {
    private final Vhost vhost;
    private final int[] rings;
    private boolean started;

    /** Serves queues {@code rings} (by index) through {@code vhost}. */
    public VhostRings(Vhost vhost, int... rings) {
        this.vhost = vhost;
        this.rings = rings.clone();
    }

    public Vhost vhost() {
        return vhost;
    }

    /** Whether queue {@code index} is one the kernel serves. */
    public boolean serves(int index) {
        for (int r : rings) {
            if (r == index) {
                return true;
            }
        }
        return false;
    }

    /** The features of {@code offered} that the kernel device can serve as well. */
    public long supported(long offered) {
        return offered & vhost.features();
    }

    /** Hands the enabled ones of the queues to the kernel. Call from {@link io.jvmm.vmm.virtio.VirtioDevice#activate}. */
    public void start(DeviceRuntime runtime) {
        vhost.setFeatures(runtime.features() & vhost.features());
        GuestMemory memory = runtime.memory();
        vhost.setMemoryTable(regions(memory));
        started = true;
        for (int index : rings) {
            Virtqueue q = runtime.queue(index);
            if (q == null) {
                continue;
            }
            int n = q.size();
            Vhost.Ring ring = new Vhost.Ring(n,
                    memory.hostAddress(q.descTable(), 16L * n),
                    memory.hostAddress(q.availRing(), 6 + 2L * n),
                    memory.hostAddress(q.usedRing(), 6 + 8L * n));
            EventFd kick = runtime.takeKick(index);
            vhost.startRing(index, ring, 0, kick, runtime.callFd(index));
            // Buffers the guest added before the kernel watched the kick are served now.
            kick.signal();
        }
    }

    /** Takes the queues back from the kernel (a reset or the end). Safe to call when not started. */
    public void stop() {
        if (!started) {
            return;
        }
        started = false;
        for (int index : rings) {
            try {
                vhost.stopRing(index);
            } catch (RuntimeException e) {
                // A ring the guest never enabled was never started: nothing to take back.
            }
        }
    }

    /** Guest RAM as the kernel must see it: guest address, size, and this process's address of it. */
    static List<Vhost.MemoryRegion> regions(GuestMemory memory) {
        List<Vhost.MemoryRegion> out = new ArrayList<>();
        for (GuestRegion r : memory.regions()) {
            out.add(new Vhost.MemoryRegion(r.guestAddress(), r.size(), r.host().address()));
        }
        return out;
    }
}
