package io.jvmm.vmm.virtio.balloon;

import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.virtio.DescriptorChain;
import io.jvmm.vmm.virtio.DeviceRuntime;
import io.jvmm.vmm.virtio.DeviceIdentity;
import io.jvmm.vmm.virtio.VirtioFeatures;
import io.jvmm.vmm.virtio.Virtqueue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.LongConsumer;

/**
 * virtio-balloon (virtio 1.2, 5.5): the host sets a target of pages the guest should hand back
 * (QMP balloon); the guest inflates towards it, and each page it gives is returned to the host
 * with madvise(DONTNEED). Deflated pages need nothing: the guest simply uses them again.
 */
public final class VirtioBalloon extends DeviceIdentity {
    public static final int PAGE = 4096;
    private static final long F_DEFLATE_ON_OOM = VirtioFeatures.bit(2);
    private static final int INFLATE = 0, DEFLATE = 1, QUEUE_SIZE = 128, CLASS_MEMORY_OTHER = 0x058000;
    private static final int MAX_PFNS = 256 * 1024;

    private final boolean deflateOnOom;
    private final LongConsumer actualChanged;
    private volatile int targetPages, actualPages;
    private volatile DeviceRuntime runtime;

    /** {@code actualChanged} hears the guest's new balloon size in bytes (QMP's BALLOON_CHANGE). */
    public VirtioBalloon(String id, boolean deflateOnOom, LongConsumer actualChanged) {
        super(5, CLASS_MEMORY_OTHER, id, 2, QUEUE_SIZE);
        this.deflateOnOom = deflateOnOom;
        this.actualChanged = actualChanged;
    }

    @Override
    public long features() {
        return deflateOnOom ? F_DEFLATE_ON_OOM : 0;
    }

    /** Asks the guest to hold {@code bytes} of its RAM in the balloon. */
    public void setTarget(long bytes) {
        targetPages = (int) Math.min(Integer.MAX_VALUE, bytes / PAGE);
        DeviceRuntime rt = runtime;
        if (rt != null) {
            rt.notifyConfig();
        }
    }

    /** Bytes the guest says it has in the balloon now. */
    public long actualBytes() {
        return (long) actualPages * PAGE;
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        ByteBuffer config = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        config.putInt(0, targetPages).putInt(4, actualPages);
        for (int i = 0; i < data.length; i++) {
            data[i] = offset + i < 8 ? config.get(offset + i) : 0;
        }
    }

    @Override
    public void writeConfig(int offset, byte[] data) {
        if (offset == 4 && data.length == 4) {
            int pages = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (pages != actualPages) {
                actualPages = pages;
                actualChanged.accept((long) pages * PAGE);
            }
        }
    }

    @Override
    public void activate(DeviceRuntime runtime) {
        this.runtime = runtime;
        if (targetPages != 0) {
            runtime.notifyConfig();
        }
    }

    @Override
    public void reset() {
        runtime = null;
        actualPages = 0;
    }

    @Override
    public void queueNotified(int index) {
        DeviceRuntime rt = runtime;
        Virtqueue q = rt == null ? null : rt.queue(index);
        if (q == null) {
            return;
        }
        boolean any = false;
        DescriptorChain c;
        while ((c = q.pop()) != null) {
            if (index == INFLATE) {
                discard(rt.memory(), c.readBytes(rt.memory(), 4 * MAX_PFNS));
            }
            q.push(c.head(), 0);
            any = true;
        }
        if (any) {
            rt.notifyQueue(index);
        }
    }

    /** Each PFN the guest gave is a 4 KiB page of its RAM; anything else it names is ignored. */
    private static void discard(GuestMemory memory, byte[] pfns) {
        ByteBuffer b = ByteBuffer.wrap(pfns).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 4) {
            long address = (b.getInt() & 0xffff_ffffL) * PAGE;
            if (memory.isRam(address, PAGE)) {
                memory.discard(address, PAGE);
            }
        }
    }
}
