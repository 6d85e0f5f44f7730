package io.jvmm.vmm.virtio.balloon;

import static io.jvmm.vmm.virtio.TestRam.descriptor;
import static io.jvmm.vmm.virtio.TestRam.offer;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.vmm.host.EventFd;
import io.jvmm.vmm.host.EventLoop;
import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.memory.GuestMemoryException;
import io.jvmm.vmm.virtio.DeviceRuntime;
import io.jvmm.vmm.virtio.GuardedRam;
import io.jvmm.vmm.virtio.GuestError;
import io.jvmm.vmm.virtio.Virtqueue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Balloon page numbers as a hostile guest may give them: in RAM, in the hole between the RAM
 * regions, beyond RAM, at 2^32 - 1, split over buffers at odd lengths. Exactly the pages of RAM
 * it named are given back to the host (read as zeros after), no other page of RAM changes, and
 * no host memory outside guest RAM is discarded.
 */
class VirtioBalloonPropertiesTest {
    private static final int QUEUE = 8, NEXT = 1, PAGE = VirtioBalloon.PAGE;
    private static final long DESC = 0x1000, AVAIL = 0x2000, USED = 0x3000, PFNS = 0x10000;
    /** Pages from here on hold a pattern the test checks; below are the rings and the PFN buffers. */
    private static final long FIRST_CHECKED_PFN = 0x20;
    /** The first page number past RAM. */
    private static final long PFN_END = (GuardedRam.HIGH_START + GuardedRam.HIGH_SIZE) / PAGE;
    private static final byte FILL = 0x5a;
    private static final GuardedRam RAM = new GuardedRam();

    @AfterContainer
    static void release() {
        RAM.close();
    }

    @Property(tries = 1000)
    void inflatingGivesBackExactlyTheNamedPagesOfRam(@ForAll("pfnLists") List<Integer> pfns,
                                                     @ForAll @IntRange(min = 0, max = 3) int cut,
                                                     @ForAll @Size(max = 3) List<@IntRange(min = 0, max = 600) Integer> splits,
                                                     @ForAll boolean deflate) {
        RAM.clear();
        GuestMemory m = RAM.memory;
        for (long pfn = FIRST_CHECKED_PFN; pfn < PFN_END; pfn++) {
            if (m.isRam(pfn * PAGE, PAGE)) {
                m.write(pfn * PAGE, filled());
            }
        }
        ByteBuffer b = ByteBuffer.allocate(4 * pfns.size()).order(ByteOrder.LITTLE_ENDIAN);
        pfns.forEach(b::putInt);
        // The last PFN may be cut short: the device reads whole 4-byte numbers only.
        int length = Math.max(0, b.capacity() - cut);
        m.write(PFNS, b.array(), 0, length);
        int d = 0, at = 0;
        for (int split : splits) {
            int n = Math.min(split, length - at);
            descriptor(m, DESC, d, PFNS + at, n, NEXT, d + 1);
            d++;
            at += n;
        }
        descriptor(m, DESC, d, PFNS + at, length - at, 0, 0);
        offer(m, AVAIL, QUEUE, 0);
        int queue = deflate ? 1 : 0;
        Virtqueue q = new Virtqueue(m, queue, QUEUE, DESC, AVAIL, USED, false, true);
        VirtioBalloon balloon = new VirtioBalloon("balloon0", true, bytes -> { });
        balloon.activate(new Runtime(m, queue, q));

        Set<Long> named = new HashSet<>();
        for (int i = 0; i < length / 4; i++) {
            named.add(pfns.get(i) & 0xffff_ffffL);
        }
        boolean ringsGivenBack = !deflate && named.stream().anyMatch(pfn -> pfn < FIRST_CHECKED_PFN);
        try {
            balloon.queueNotified(queue);
        } catch (GuestError | GuestMemoryException e) {
            // A guest that puts its own rings in the balloon reads them back as zeros: a broken ring.
            if (!ringsGivenBack) {
                throw new AssertionError("a well-formed chain stopped the balloon", e);
            }
        }

        assertThat(RAM.guardsIntact()).as("host memory around guest RAM untouched").isTrue();
        byte[] page = new byte[PAGE];
        for (long pfn = FIRST_CHECKED_PFN; pfn < PFN_END; pfn++) {
            if (!m.isRam(pfn * PAGE, PAGE)) {
                continue;
            }
            m.read(pfn * PAGE, page);
            boolean discarded = !deflate && named.contains(pfn);
            assertThat(page).as("page 0x%x (%s)", pfn, discarded ? "given back" : "kept")
                    .isEqualTo(discarded ? new byte[PAGE] : filled());
        }
    }

    /** Configuration space at any offset and width: the guest may write only its actual page count. */
    @Property(tries = 1000)
    void configurationTakesAnyAccess(@ForAll @IntRange(min = 0, max = 0xfff) int offset, @ForAll @IntRange(min = 0, max = 8) int width,
                                     @ForAll long value, @ForAll boolean write) {
        VirtioBalloon balloon = new VirtioBalloon("balloon0", false, bytes -> { });
        balloon.setTarget(123L * PAGE);
        byte[] data = new byte[width];
        io.jvmm.vmm.bus.Bytes.put(data, value);
        if (write) {
            balloon.writeConfig(offset, data);
        } else {
            balloon.readConfig(offset, data);
        }
        byte[] target = new byte[4];
        balloon.readConfig(0, target);
        assertThat(ByteBuffer.wrap(target).order(ByteOrder.LITTLE_ENDIAN).getInt()).as("num_pages, the host's").isEqualTo(123);
    }

    private static byte[] filled() {
        byte[] page = new byte[PAGE];
        java.util.Arrays.fill(page, FILL);
        return page;
    }

    /** PFNs of checked RAM, of the rings' pages, of the hole, of the last pages, beyond RAM, and anything. */
    @Provide
    Arbitrary<List<Integer>> pfnLists() {
        long hole = GuardedRam.LOW_SIZE / PAGE, high = GuardedRam.HIGH_START / PAGE;
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between((int) FIRST_CHECKED_PFN, (int) PFN_END + 1)),
                Tuple.of(2, Arbitraries.of((int) hole - 1, (int) hole, (int) high - 1, (int) high, (int) PFN_END - 1,
                        (int) PFN_END, (int) PFN_END + 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 20, 1 << 24)),
                Tuple.of(1, Arbitraries.integers()))
                .list().ofMaxSize(40);
    }

    private record Runtime(GuestMemory memory, int index, Virtqueue q) implements DeviceRuntime {
        @Override public Virtqueue queue(int i) { return i == index ? q : null; }
        @Override public long features() { return 0; }
        @Override public EventLoop loop() { return null; }
        @Override public void notifyQueue(int i) { }
        @Override public EventFd takeKick(int i) { return null; }
        @Override public EventFd callFd(int i) { return null; }
        @Override public void notifyConfig() { }
        @Override public void fail(String reason) { throw new AssertionError("the device failed itself: " + reason); }
    }
}
