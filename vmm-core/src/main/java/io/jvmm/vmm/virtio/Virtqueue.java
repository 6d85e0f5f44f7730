package io.jvmm.vmm.virtio;

import io.jvmm.vmm.memory.GuestMemory;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A split virtqueue (virtio 1.2, 2.7) in guest memory, as the device side sees it. Everything
 * read from the rings is the guest's to forge: indices, lengths, addresses and flags are checked
 * before use, and a violation is a {@link GuestError}, never a host memory access outside guest
 * RAM nor an endless walk.
 */
public final class Virtqueue {
    private static final int DESC_SIZE = 16, F_NEXT = 1, F_WRITE = 2, F_INDIRECT = 4;
    private static final int AVAIL_F_NO_INTERRUPT = 1;

    private final GuestMemory memory;
    private final int index, size;
    private final long desc, avail, used;
    private final boolean eventIdx, indirect;
    private int lastAvail, nextUsed, signalledUsed;
    private boolean signalledOnce;

    public Virtqueue(GuestMemory memory, int index, int size, long desc, long avail, long used,
                     boolean eventIdx, boolean indirect) {
        this.memory = memory;
        this.index = index;
        this.size = size;
        this.desc = desc;
        this.avail = avail;
        this.used = used;
        this.eventIdx = eventIdx;
        this.indirect = indirect;
        if (size <= 0 || Integer.bitCount(size) != 1 || size > 32768) {
            throw new GuestError("queue " + index + " size " + size + " is not a power of two up to 32768");
        }
        checkRing("descriptor table", desc, 16, (long) DESC_SIZE * size);
        checkRing("available ring", avail, 2, 6 + 2L * size);
        checkRing("used ring", used, 4, 6 + 8L * size);
        // A used ring over the available ring or the table would let the device's own writes
        // make chains available or rewrite them: the device would feed itself without end.
        if (overlap(used, 6 + 8L * size, avail, 6 + 2L * size) || overlap(used, 6 + 8L * size, desc, (long) DESC_SIZE * size)) {
            throw new GuestError(String.format("queue %d used ring at 0x%x overlaps its available ring at 0x%x"
                    + " or descriptor table at 0x%x", index, used, avail, desc));
        }
    }

    private static boolean overlap(long a, long aLength, long b, long bLength) {
        return a < b + bLength && b < a + aLength;
    }

    private void checkRing(String what, long address, int alignment, long length) {
        if (address % alignment != 0 || !memory.isRam(address, length)) {
            throw new GuestError(String.format("queue %d %s at 0x%x (%d bytes) is misaligned or outside guest RAM",
                    index, what, address, length));
        }
    }

    public int index() {
        return index;
    }

    public int size() {
        return size;
    }

    /** The guest addresses of the descriptor table, available ring and used ring (for a vhost device). */
    public long descTable() {
        return desc;
    }

    public long availRing() {
        return avail;
    }

    public long usedRing() {
        return used;
    }

    /** The next chain the guest made available, or null when there is none (re-arming kicks first). */
    public DescriptorChain pop() {
        DescriptorChain c = next();
        if (c == null && eventIdx) {
            // Ask for a kick at the next buffer, then look once more: the guest may have added
            // one after the look above but before it could see this request.
            memory.writeShort(used + 4 + 8L * size, (short) lastAvail);
            VarHandle.fullFence();
            c = next();
        }
        return c;
    }

    /**
     * For a device that stops taking chains for a while (a rate limit): asks the guest to kick
     * at its next chain, then says whether chains are already waiting, in which case no kick
     * will come for them and the device must come back by itself.
     */
    public boolean armNotification() {
        if (eventIdx) {
            memory.writeShort(used + 4 + 8L * size, (short) lastAvail);
            VarHandle.fullFence();
        }
        return hasAvailable();
    }

    /** Whether the guest made more chains available than the device has taken. */
    public boolean hasAvailable() {
        return availableCount() > 0;
    }

    private int availableCount() {
        int availIdx = memory.readShort(avail + 2) & 0xffff;
        int pending = (availIdx - lastAvail) & 0xffff;
        if (pending > size) {
            throw new GuestError("queue " + index + " available index moved " + pending
                    + " entries ahead, more than the queue's " + size);
        }
        return pending;
    }

    private DescriptorChain next() {
        if (availableCount() == 0) {
            return null;
        }
        VarHandle.acquireFence();
        int head = memory.readShort(avail + 4 + 2L * (lastAvail % size)) & 0xffff;
        lastAvail = (lastAvail + 1) & 0xffff;
        return chain(head);
    }

    /** Puts back the last chain popped, which the device could not serve yet (no buffers on the host side). */
    public void unpop() {
        lastAvail = (lastAvail - 1) & 0xffff;
    }

    private DescriptorChain chain(int head) {
        if (head >= size) {
            throw new GuestError("queue " + index + " head descriptor " + head + " is beyond the queue size " + size);
        }
        List<DescriptorChain.Segment> readable = new ArrayList<>(), writable = new ArrayList<>();
        long table = desc;
        int tableSize = size, i = head, walked = 0;
        boolean inIndirect = false;
        while (true) {
            if (++walked > size + (inIndirect ? tableSize : 0)) {
                throw new GuestError("queue " + index + " descriptor chain from " + head + " loops or is longer than the queue");
            }
            long d = table + (long) DESC_SIZE * i;
            long address = memory.readLong(d);
            int length = memory.readInt(d + 8);
            int flags = memory.readShort(d + 12) & 0xffff;
            int next = memory.readShort(d + 14) & 0xffff;
            if ((flags & F_INDIRECT) != 0) {
                if (!indirect || inIndirect || (flags & F_NEXT) != 0 || !readable.isEmpty() || !writable.isEmpty()) {
                    throw new GuestError("queue " + index + " has an indirect descriptor where none is allowed");
                }
                if (length <= 0 || length % DESC_SIZE != 0 || length / DESC_SIZE > size
                        || !memory.isRam(address, length) || address % DESC_SIZE != 0) {
                    throw new GuestError(String.format("queue %d indirect table at 0x%x of %d bytes is invalid",
                            index, address, length & 0xffffffffL));
                }
                table = address;
                tableSize = length / DESC_SIZE;
                inIndirect = true;
                i = 0;
                continue;
            }
            if (length < 0 || !memory.isRam(address, length)) {
                throw new GuestError(String.format("queue %d buffer at 0x%x of %d bytes is outside guest RAM",
                        index, address, length & 0xffffffffL));
            }
            if ((flags & F_WRITE) != 0) {
                writable.add(new DescriptorChain.Segment(address, length));
            } else if (writable.isEmpty()) {
                readable.add(new DescriptorChain.Segment(address, length));
            } else {
                throw new GuestError("queue " + index + " chain " + head + " has a device-readable buffer after a writable one");
            }
            if ((flags & F_NEXT) == 0) {
                return new DescriptorChain(head, readable, writable);
            }
            if (next >= tableSize) {
                throw new GuestError("queue " + index + " descriptor " + i + " points to " + next + ", beyond its table");
            }
            i = next;
        }
    }

    /** Returns chain {@code head} to the guest with {@code written} bytes written into it. */
    public void push(int head, int written) {
        long elem = used + 4 + 8L * (nextUsed % size);
        memory.writeInt(elem, head);
        memory.writeInt(elem + 4, written);
        VarHandle.releaseFence();
        nextUsed = (nextUsed + 1) & 0xffff;
        memory.writeShort(used + 2, (short) nextUsed);
    }

    /**
     * Whether the guest wants an interrupt for what was pushed since the last one: its
     * used_event index with EVENT_IDX, the NO_INTERRUPT flag without.
     */
    public boolean needsInterrupt() {
        VarHandle.fullFence();
        if (!eventIdx) {
            return (memory.readShort(avail) & AVAIL_F_NO_INTERRUPT) == 0;
        }
        int usedEvent = memory.readShort(avail + 4 + 2L * size) & 0xffff;
        int old = signalledUsed;
        boolean first = !signalledOnce;
        signalledUsed = nextUsed;
        signalledOnce = true;
        // vring_need_event: did the index pass used_event since the last interrupt?
        return first || ((nextUsed - usedEvent - 1) & 0xffff) < ((nextUsed - old) & 0xffff);
    }
}
