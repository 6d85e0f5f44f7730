package io.jvmm.vmm.virtio;

import static io.jvmm.vmm.virtio.TestRam.descriptor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.jvmm.vmm.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The split ring as a hostile guest may write all of it: descriptor tables of random addresses,
 * lengths, flags and next indices (loops, indirect tables, nested ones), available rings whose
 * index wraps around 65536 or runs ahead. Whatever the guest wrote, the queue answers with
 * chains that lie wholly in guest RAM or with a {@link GuestError}, in bounded time, and never
 * writes host memory outside guest RAM.
 */
class VirtqueuePropertiesTest {
    static final int NEXT = 1, WRITE = 2, INDIRECT = 4;
    /** Fixed ring places for queues of up to 256 entries; random places are tried too. */
    static final long DESC = 0x1000, AVAIL = 0x3000, USED = 0x4000;
    /** Where indirect tables live: descriptors that point here with INDIRECT find random entries. */
    static final long INDIRECT_AREA = 0x8000;
    static final int INDIRECT_ENTRIES = 64;
    private static final GuardedRam RAM = new GuardedRam();

    record Descriptor(long address, int length, int flags, int next) {}

    record Rings(long desc, long avail, long used) {
        boolean fixed() {
            return desc == DESC && avail == AVAIL && used == USED;
        }
    }

    /** Everything the guest controls about one queue, and the available index the device stands at. */
    record Scenario(int size, Rings rings, boolean eventIdx, boolean indirect, List<Descriptor> table,
                    List<Descriptor> indirectArea, int lastAvail, int pending, List<Integer> heads, int usedEvent) {}

    @AfterContainer
    static void release() {
        RAM.close();
    }

    @Property(tries = 2000)
    void walkingChainsEndsInChainsInsideRamOrAGuestError(@ForAll("scenarios") Scenario s) {
        String outcome = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> walk(s), "the walk must end");
        Statistics.label("outcome").collect(outcome);
    }

    /** The queue's own checks on where the driver put its rings and how big it said they are. */
    @Property(tries = 1000)
    void creatingAQueueAcceptsOnlyRingsInsideRam(@ForAll("queueSizes") int size, @ForAll("addresses") long desc,
                                                 @ForAll("addresses") long avail, @ForAll("addresses") long used) {
        Virtqueue q;
        try {
            q = new Virtqueue(RAM.memory, 0, size, desc, avail, used, true, true);
        } catch (GuestError refused) {
            return;
        }
        assertThat(RAM.memory.isRam(desc, 16L * size)).isTrue();
        assertThat(RAM.memory.isRam(avail, 6 + 2L * size)).isTrue();
        assertThat(RAM.memory.isRam(used, 6 + 8L * size)).isTrue();
        assertThat(q.size()).isEqualTo(size);
        assertThat(used + 6 + 8L * size <= avail || avail + 6 + 2L * size <= used).as("used ring apart from the available ring").isTrue();
        assertThat(used + 6 + 8L * size <= desc || desc + 16L * size <= used).as("used ring apart from the table").isTrue();
    }

    /** A used ring laid over the available ring would let each chain served make the next one available. */
    @Example
    void aUsedRingOverTheAvailableRingIsRefused() {
        assertThatThrownBy(() -> new Virtqueue(RAM.memory, 0, 32, DESC, AVAIL, AVAIL, true, true))
                .isInstanceOf(GuestError.class).hasMessageContaining("overlaps");
    }

    /** The available index wraps from 65535 to 0 in the middle of a batch. */
    @Example
    void availableIndexWrapsAround65536() {
        walk(new Scenario(4, new Rings(DESC, AVAIL, USED), true, true,
                List.of(new Descriptor(0x10000, 16, WRITE, 0), new Descriptor(0x10000, 16, 0, 0),
                        new Descriptor(0x10000, 16, WRITE, 0), new Descriptor(0x10000, 16, WRITE, 0)),
                List.of(), 65534, 4, List.of(0, 2, 3, 0), 0));
    }

    /** Plays the scenario; returns how it ended, for the statistics. */
    private static String walk(Scenario s) {
        RAM.clear();
        GuestMemory m = RAM.memory;
        Rings r = s.rings();
        int size = s.size();
        if (r.fixed() && size >= 1 && size <= 256) {
            for (int i = 0; i < s.table().size(); i++) {
                Descriptor d = s.table().get(i);
                descriptor(m, DESC, i, d.address(), d.length(), d.flags(), d.next());
            }
            for (int i = 0; i < s.indirectArea().size(); i++) {
                Descriptor d = s.indirectArea().get(i);
                descriptor(m, INDIRECT_AREA, i, d.address(), d.length(), d.flags(), d.next());
            }
            m.writeShort(AVAIL + 2, (short) (s.lastAvail() + s.pending()));
            for (int i = 0; i < s.heads().size(); i++) {
                m.writeShort(AVAIL + 4 + 2L * ((s.lastAvail() + i) % size), (short) (int) s.heads().get(i));
            }
            m.writeShort(AVAIL + 4 + 2L * size, (short) s.usedEvent());
        }
        Virtqueue q;
        try {
            q = new Virtqueue(m, 0, size, r.desc(), r.avail(), r.used(), s.eventIdx(), s.indirect());
        } catch (GuestError refused) {
            return "queue refused";
        }
        // A fresh queue stands at index 0; putting back 65536 - n chains moves it to n.
        for (int i = 0; i < ((0x10000 - s.lastAvail()) & 0xffff); i++) {
            q.unpop();
        }
        int popped = 0;
        String outcome;
        try {
            while (true) {
                DescriptorChain c = q.pop();
                if (c == null) {
                    break;
                }
                popped++;
                assertThat(popped).as("chains taken from a ring of %d", size).isLessThanOrEqualTo(size);
                checkChain(m, c, size);
                q.push(c.head(), (int) Math.min(c.writableLength(), Integer.MAX_VALUE));
                q.needsInterrupt();
            }
            q.armNotification();
            outcome = popped == 0 ? "no chain" : "chains served";
        } catch (GuestError refused) {
            // The device stops with NEEDS_RESET: what a broken ring should earn.
            outcome = popped == 0 ? "first chain refused" : "later chain refused";
        }
        if (r.fixed()) {
            assertThat(popped).as("chains taken").isLessThanOrEqualTo(Math.min(s.pending(), size));
        }
        assertThat(RAM.guardsIntact()).as("host memory around guest RAM untouched").isTrue();
        return outcome;
    }

    /** Every buffer of a chain lies in RAM, and the gather/scatter helpers stay inside them. */
    private static void checkChain(GuestMemory m, DescriptorChain c, int size) {
        assertThat(c.head()).isBetween(0, size - 1);
        assertThat(c.readable().size() + c.writable().size()).isLessThanOrEqualTo(size + INDIRECT_ENTRIES);
        for (DescriptorChain.Segment seg : c.readable()) {
            assertThat(m.isRam(seg.address(), seg.length())).as("readable %s in RAM", seg).isTrue();
        }
        for (DescriptorChain.Segment seg : c.writable()) {
            assertThat(m.isRam(seg.address(), seg.length())).as("writable %s in RAM", seg).isTrue();
        }
        byte[] read = c.readBytes(m, 4096);
        assertThat((long) read.length).isEqualTo(Math.min(4096, c.readableLength()));
        // Writes back what the writable buffers already hold, so that the ring under test stays as the guest made it.
        int n = (int) Math.min(c.writableLength(), 4096);
        byte[] same = new byte[n];
        int at = 0;
        for (DescriptorChain.Segment seg : c.writable()) {
            int k = Math.min(seg.length(), n - at);
            m.read(seg.address(), same, at, k);
            at += k;
        }
        assertThat(c.writeBytes(m, same, 0, n)).isEqualTo(n);
        long total = 0;
        for (ByteBuffer b : DescriptorChain.buffers(m, c.writable(), 3, 1 << 20)) {
            total += b.remaining();
        }
        assertThat(total).isEqualTo(Math.max(0, Math.min(c.writableLength() - 3, 1 << 20)));
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        return queueSizes().flatMap(size -> {
            Arbitrary<Rings> rings = Arbitraries.frequencyOf(
                    Tuple.of(9, Arbitraries.just(new Rings(DESC, AVAIL, USED))),
                    Tuple.of(1, Combinators.combine(addresses(), addresses(), addresses()).as(Rings::new))).withoutEdgeCases();
            Arbitrary<List<Descriptor>> table = descriptors(size).list().ofSize(tableSize(size));
            Arbitrary<List<Descriptor>> indirectArea = descriptors(size).list().ofSize(INDIRECT_ENTRIES);
            Arbitrary<Integer> lastAvail = Arbitraries.frequencyOf(
                    Tuple.of(3, Arbitraries.integers().between(0, 0xffff)),
                    Tuple.of(1, Arbitraries.integers().between(0xffff - 8, 0xffff)),
                    Tuple.of(1, Arbitraries.just(0)));
            Arbitrary<Integer> pending = Arbitraries.frequencyOf(
                    Tuple.of(8, Arbitraries.integers().between(0, tableSize(size))),
                    Tuple.of(1, Arbitraries.integers().between(0, 0xffff)));
            Arbitrary<List<Integer>> heads = indices(size).list().ofSize(tableSize(size));
            return Combinators.combine(rings, Arbitraries.of(true, false), Arbitraries.of(true, false), table,
                    indirectArea, lastAvail, pending, heads)
                    .as((r, eventIdx, indirect, t, area, last, p, h) ->
                            new Scenario(size, r, eventIdx, indirect, t, area, last, p, h, 0));
        });
    }

    @Provide
    Arbitrary<Integer> queueSizes() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(1, 2, 4, 8, 16)),
                Tuple.of(2, Arbitraries.of(32, 64, 128, 256)),
                Tuple.of(1, Arbitraries.of(0, -1, 3, 6, 255, 32768, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE)));
    }

    private static Arbitrary<Descriptor> descriptors(int size) {
        return Combinators.combine(addresses(), lengths(), flags(), indices(size)).as(Descriptor::new);
    }

    /** Next and head indices: mostly inside the table (so chains get long and loop), sometimes anything. */
    private static Arbitrary<Integer> indices(int size) {
        int n = tableSize(size);
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(0, Math.max(0, n - 1))),
                Tuple.of(1, Arbitraries.integers().between(n, n + 2)),
                Tuple.of(1, Arbitraries.integers().between(0, 0xffff)));
    }

    /** The entries written for a queue of {@code size}: none for a size the queue refuses anyway. */
    private static int tableSize(int size) {
        return size >= 1 && size <= 256 ? size : 0;
    }

    private static Arbitrary<Integer> flags() {
        return Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.of(0, NEXT, WRITE, NEXT | WRITE)),
                Tuple.of(2, Arbitraries.of(INDIRECT, INDIRECT | NEXT, INDIRECT | WRITE)),
                Tuple.of(1, Arbitraries.integers().between(0, 0xffff)));
    }

    /** Guest addresses: in either region, at their edges, in the hole, in the indirect area, or anything. */
    @Provide
    static Arbitrary<Long> addresses() {
        long lowEnd = GuardedRam.LOW_SIZE, highEnd = GuardedRam.HIGH_START + GuardedRam.HIGH_SIZE;
        return Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.longs().between(0x10000, lowEnd - 1)),
                Tuple.of(3, Arbitraries.integers().between(0, 8).map(i -> INDIRECT_AREA + 16L * i)),
                Tuple.of(2, Arbitraries.longs().between(-64, 64).flatMap(d -> Arbitraries.of(
                        lowEnd + d, GuardedRam.HIGH_START + d, highEnd + d, d)).map(Long::longValue)),
                Tuple.of(2, Arbitraries.longs().between(GuardedRam.HIGH_START, highEnd - 1)),
                Tuple.of(1, Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, -1L, -4096L, 0xffff_ffff_ffff_f000L,
                        1L << 32, 0xffff_ffffL)),
                Tuple.of(1, Arbitraries.longs()));
    }

    /** Buffer lengths: small, page-sized, whole indirect tables, ones that cross a region's end, or anything. */
    static Arbitrary<Integer> lengths() {
        return Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.integers().between(0, 64)),
                Tuple.of(3, Arbitraries.integers().between(0, 8192)),
                Tuple.of(2, Arbitraries.integers().between(1, INDIRECT_ENTRIES + 2).map(i -> 16 * i)),
                Tuple.of(1, Arbitraries.of(Integer.MAX_VALUE, Integer.MIN_VALUE, -1, -16, 0x10000, (int) GuardedRam.LOW_SIZE)),
                Tuple.of(1, Arbitraries.integers()));
    }
}
