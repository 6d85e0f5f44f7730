package io.jvmm.vmm.virtio;

import static io.jvmm.vmm.virtio.TestRam.descriptor;
import static io.jvmm.vmm.virtio.TestRam.offer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.vmm.memory.GuestMemory;
import org.junit.jupiter.api.Test;

/** The split ring as a hostile guest may write it: every forgery ends as a GuestError, never a host access outside guest RAM. */
class VirtqueueTest {
    private static final int SIZE = 8, NEXT = 1, WRITE = 2, INDIRECT = 4;
    private static final long DESC = 0x1000, AVAIL = 0x2000, USED = 0x3000, DATA = 0x10000;
    private final GuestMemory ram = TestRam.create();

    private Virtqueue queue(boolean eventIdx) {
        return new Virtqueue(ram, 0, SIZE, DESC, AVAIL, USED, eventIdx, true);
    }

    @Test
    void walksAChainReadableThenWritableAndReturnsIt() {
        descriptor(ram, DESC, 0, DATA, 16, NEXT, 3);
        descriptor(ram, DESC, 3, DATA + 0x100, 512, NEXT | WRITE, 5);
        descriptor(ram, DESC, 5, DATA + 0x400, 1, WRITE, 0);
        offer(ram, AVAIL, SIZE, 0);
        Virtqueue q = queue(false);

        DescriptorChain c = q.pop();
        assertThat(c.head()).isZero();
        assertThat(c.readable()).containsExactly(new DescriptorChain.Segment(DATA, 16));
        assertThat(c.writableLength()).isEqualTo(513);
        assertThat(q.pop()).isNull();
        q.push(0, 513);
        assertThat(ram.readShort(USED + 2)).isEqualTo((short) 1);
        assertThat(ram.readInt(USED + 4)).isZero();
        assertThat(ram.readInt(USED + 8)).isEqualTo(513);
    }

    @Test
    void followsAnIndirectTable() {
        long table = 0x5000;
        descriptor(ram, table, 0, DATA, 16, NEXT, 1);
        descriptor(ram, table, 1, DATA + 0x100, 8, WRITE, 0);
        descriptor(ram, DESC, 2, table, 32, INDIRECT, 0);
        offer(ram, AVAIL, SIZE, 2);

        DescriptorChain c = queue(false).pop();
        assertThat(c.head()).isEqualTo(2);
        assertThat(c.readableLength()).isEqualTo(16);
        assertThat(c.writableLength()).isEqualTo(8);
    }

    @Test
    void refusesADescriptorLoop() {
        descriptor(ram, DESC, 0, DATA, 16, NEXT, 1);
        descriptor(ram, DESC, 1, DATA, 16, NEXT, 0);
        offer(ram, AVAIL, SIZE, 0);
        assertThatThrownBy(() -> queue(false).pop()).isInstanceOf(GuestError.class).hasMessageContaining("loops");
    }

    @Test
    void refusesALoopInsideAnIndirectTable() {
        long table = 0x5000;
        descriptor(ram, table, 0, DATA, 16, NEXT, 1);
        descriptor(ram, table, 1, DATA, 16, NEXT, 0);
        descriptor(ram, DESC, 0, table, 32, INDIRECT, 0);
        offer(ram, AVAIL, SIZE, 0);
        assertThatThrownBy(() -> queue(false).pop()).isInstanceOf(GuestError.class).hasMessageContaining("loops");
    }

    @Test
    void refusesBuffersOutsideGuestRam() {
        descriptor(ram, DESC, 0, TestRam.SIZE - 8, 16, 0, 0);
        offer(ram, AVAIL, SIZE, 0);
        assertThatThrownBy(() -> queue(false).pop()).isInstanceOf(GuestError.class).hasMessageContaining("outside guest RAM");

        GuestMemory wrapping = TestRam.create();
        descriptor(wrapping, DESC, 0, 0xffff_ffff_ffff_f000L, 0x2000, 0, 0); // address + length overflows
        offer(wrapping, AVAIL, SIZE, 0);
        assertThatThrownBy(() -> new Virtqueue(wrapping, 0, SIZE, DESC, AVAIL, USED, false, true).pop())
                .isInstanceOf(GuestError.class).hasMessageContaining("outside guest RAM");
    }

    @Test
    void refusesForgedIndicesAndTables() {
        offer(ram, AVAIL, SIZE, SIZE + 3);
        assertThatThrownBy(() -> queue(false).pop()).isInstanceOf(GuestError.class).hasMessageContaining("beyond the queue size");

        GuestMemory fresh = TestRam.create();
        fresh.writeShort(AVAIL + 2, (short) (SIZE + 1));
        assertThatThrownBy(() -> new Virtqueue(fresh, 0, SIZE, DESC, AVAIL, USED, false, true).pop())
                .isInstanceOf(GuestError.class).hasMessageContaining("more than the queue");
    }

    @Test
    void refusesBadIndirectDescriptors() {
        long table = 0x5000;
        descriptor(ram, table, 0, table, 16, INDIRECT, 0); // nested indirect
        descriptor(ram, DESC, 0, table, 16, INDIRECT, 0);
        descriptor(ram, DESC, 1, table, 17, INDIRECT, 0); // not a whole number of descriptors
        descriptor(ram, DESC, 2, DATA, 16, NEXT, 3);
        descriptor(ram, DESC, 3, table, 16, INDIRECT, 0); // indirect inside a chain
        for (int head = 0; head < 3; head++) {
            GuestMemory m = ram;
            m.writeShort(AVAIL + 2, (short) 0);
            offer(m, AVAIL, SIZE, head == 2 ? 2 : head);
            Virtqueue q = queue(false);
            assertThatThrownBy(q::pop).as("head %d", head).isInstanceOf(GuestError.class);
        }
        assertThatThrownBy(() -> new Virtqueue(ram, 0, SIZE, DESC, AVAIL, USED, false, false).pop())
                .isInstanceOf(GuestError.class);
    }

    @Test
    void refusesReadableAfterWritable() {
        descriptor(ram, DESC, 0, DATA, 16, NEXT | WRITE, 1);
        descriptor(ram, DESC, 1, DATA, 16, 0, 0);
        offer(ram, AVAIL, SIZE, 0);
        assertThatThrownBy(() -> queue(false).pop()).isInstanceOf(GuestError.class).hasMessageContaining("after a writable");
    }

    @Test
    void refusesRingsOutsideRamOrBadSizes() {
        assertThatThrownBy(() -> new Virtqueue(ram, 0, SIZE, TestRam.SIZE - 16, AVAIL, USED, false, true))
                .isInstanceOf(GuestError.class);
        assertThatThrownBy(() -> new Virtqueue(ram, 0, 6, DESC, AVAIL, USED, false, true)).isInstanceOf(GuestError.class);
        assertThatThrownBy(() -> new Virtqueue(ram, 0, SIZE, DESC + 1, AVAIL, USED, false, true)).isInstanceOf(GuestError.class);
    }

    @Test
    void eventIdxAsksForTheNextKickAndInterruptsOnlyWhenUsedEventIsPassed() {
        Virtqueue q = queue(true);
        assertThat(q.pop()).isNull();
        assertThat(ram.readShort(USED + 4 + 8 * SIZE)).as("avail_event").isZero();
        descriptor(ram, DESC, 0, DATA, 1, WRITE, 0);
        offer(ram, AVAIL, SIZE, 0);
        assertThat(q.pop()).isNotNull();
        q.push(0, 1);
        ram.writeShort(AVAIL + 4 + 2 * SIZE, (short) 0); // used_event 0: wants an interrupt for entry 0
        assertThat(q.needsInterrupt()).isTrue();
        offer(ram, AVAIL, SIZE, 0);
        q.pop();
        q.push(0, 1);
        ram.writeShort(AVAIL + 4 + 2 * SIZE, (short) 5); // not before entry 5
        assertThat(q.needsInterrupt()).isFalse();
    }
}
