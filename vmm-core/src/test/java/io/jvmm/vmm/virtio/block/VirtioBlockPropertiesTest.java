package io.jvmm.vmm.virtio.block;

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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * virtio-blk requests as a hostile guest may make them: any type and sector, headers split or
 * cut short, data buffers of any length and direction, status buffers missing or oversized.
 * Each request ends in a status byte or stops the device with a guest error; the disk file never
 * grows, changes only where a valid write request said, and nothing outside guest RAM is written.
 */
class VirtioBlockPropertiesTest {
    private static final int QUEUE = 16, NEXT = 1, WRITE = 2, SECTOR = 512;
    private static final long DESC = 0x1000, AVAIL = 0x2000, USED = 0x3000, HEADER = 0x10000, DATA = 0x11000,
            DATA_END = GuardedRam.LOW_SIZE;
    /** 128 sectors and a tail that is not a whole sector (the capacity rounds it off). */
    private static final int DISK_BYTES = 128 * SECTOR + 100;
    private static final GuardedRam RAM = new GuardedRam();
    private static final Path DIR = temporaryDirectory();
    private static final BlockBackend WRITABLE = backend("rw.raw", false), READ_ONLY = backend("ro.raw", true);

    /** One guest buffer; {@code address} -1 lays it after the previous one in the data area. */
    record Buffer(long address, int length, boolean writable) {}

    record Request(int type, long sector, int headerLength, int headerSplit, List<Buffer> data, int statusLength,
                   boolean statusWritable, boolean readOnly) {}

    @AfterContainer
    static void release() throws IOException {
        WRITABLE.close();
        READ_ONLY.close();
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        RAM.close();
    }

    @Property(tries = 1500)
    void requestsEndInAStatusOrAGuestErrorAndStayInsideTheDisk(@ForAll("requests") Request r) throws IOException {
        RAM.clear();
        GuestMemory m = RAM.memory;
        BlockBackend backend = r.readOnly() ? READ_ONLY : WRITABLE;
        byte[] diskBefore = Files.readAllBytes(backend.file());
        VirtioBlock blk = new VirtioBlock("vda", backend);
        Virtqueue q = new Virtqueue(m, 0, QUEUE, DESC, AVAIL, USED, false, true);
        blk.activate(new Runtime(m, q));

        byte[] pattern = new byte[(int) (DATA_END - DATA)];
        new Random(r.hashCode()).nextBytes(pattern);
        m.write(DATA, pattern);
        m.writeInt(HEADER, r.type());
        m.writeLong(HEADER + 8, r.sector());
        int d = 0;
        if (r.headerSplit() > 0 && r.headerSplit() < r.headerLength()) {
            descriptor(m, DESC, d, HEADER, r.headerSplit(), NEXT, d + 1);
            descriptor(m, DESC, ++d, HEADER + r.headerSplit(), r.headerLength() - r.headerSplit(), NEXT, d + 1);
        } else {
            descriptor(m, DESC, d, HEADER, r.headerLength(), NEXT, d + 1);
        }
        long next = DATA;
        long[] placed = new long[r.data().size()];
        for (int i = 0; i < r.data().size(); i++) {
            Buffer b = r.data().get(i);
            placed[i] = b.address() >= 0 ? b.address() : next;
            next = placed[i] + Math.max(0, b.length());
            descriptor(m, DESC, ++d, placed[i], b.length(), (b.writable() ? WRITE : 0) | NEXT, d + 1);
        }
        long statusAt = next + 1;
        descriptor(m, DESC, ++d, statusAt, r.statusLength(), r.statusWritable() ? WRITE : 0, 0);
        offer(m, AVAIL, QUEUE, 0);

        String outcome;
        try {
            blk.queueNotified(0);
            outcome = "status " + ((m.readShort(USED + 2) & 0xffff) == 1 ? "written" : "missing");
        } catch (GuestError | GuestMemoryException e) {
            outcome = "device stopped: " + e.getClass().getSimpleName();
        }
        Statistics.label("outcome").collect(outcome);

        byte[] diskAfter = Files.readAllBytes(backend.file());
        assertThat(diskAfter.length).as("disk size").isEqualTo(diskBefore.length);
        assertThat(RAM.guardsIntact()).as("host memory around guest RAM untouched").isTrue();
        boolean laidOut = r.data().stream().allMatch(b -> b.address() < 0 && b.length() >= 0);
        boolean answered = outcome.equals("status written");
        boolean statusKnown = answered && r.statusWritable() && r.statusLength() > 0 && laidOut;
        byte status = statusKnown ? m.readByte(statusAt + r.statusLength() - 1) : -1;
        if (statusKnown) {
            assertThat(status).as("status byte").isIn((byte) 0, (byte) 1, (byte) 2);
            Statistics.label("status").collect(r.type() + ":" + status);
        }
        boolean plainHeader = r.headerLength() == 16;
        if (status == 0 && r.type() == VirtioBlock.T_OUT && plainHeader) {
            byte[] expected = diskBefore.clone();
            ByteArrayOutputStream written = new ByteArrayOutputStream();
            for (int i = 0; i < r.data().size(); i++) {
                if (!r.data().get(i).writable()) {
                    written.write(pattern, (int) (placed[i] - DATA), r.data().get(i).length());
                }
            }
            System.arraycopy(written.toByteArray(), 0, expected, (int) r.sector() * SECTOR, written.size());
            assertThat(diskAfter).as("the disk after a write").isEqualTo(expected);
        } else if (r.type() != VirtioBlock.T_OUT || !answered || (statusKnown && status != 0)) {
            assertThat(diskAfter).as("the disk, untouched but by a write request").isEqualTo(diskBefore);
        }
        if (status == 0 && r.type() == VirtioBlock.T_IN && plainHeader) {
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            for (int i = 0; i < r.data().size(); i++) {
                if (r.data().get(i).writable()) {
                    byte[] got = new byte[r.data().get(i).length()];
                    m.read(placed[i], got);
                    read.write(got, 0, got.length);
                }
            }
            byte[] statusBufferStart = new byte[r.statusLength() - 1];
            m.read(statusAt, statusBufferStart);
            read.write(statusBufferStart, 0, statusBufferStart.length);
            int from = (int) r.sector() * SECTOR;
            assertThat(read.toByteArray()).as("what the guest read")
                    .isEqualTo(Arrays.copyOfRange(diskBefore, from, from + read.size()));
        }
    }

    @Provide
    Arbitrary<Request> requests() {
        Arbitrary<Integer> type = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.of(VirtioBlock.T_IN, VirtioBlock.T_OUT)),
                Tuple.of(2, Arbitraries.of(VirtioBlock.T_FLUSH, VirtioBlock.T_GET_ID)),
                Tuple.of(1, Arbitraries.integers()));
        Arbitrary<Long> sector = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.longs().between(0, 128)),
                Tuple.of(2, Arbitraries.longs().between(124, 132)),
                Tuple.of(1, Arbitraries.of(-1L, Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE / SECTOR, 1L << 55, (1L << 54) + 1)),
                Tuple.of(1, Arbitraries.longs()));
        Arbitrary<Integer> headerLength = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(16)),
                Tuple.of(1, Arbitraries.integers().between(0, 32)));
        Arbitrary<Integer> dataLength = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0, 8).map(n -> n * SECTOR)),
                Tuple.of(2, Arbitraries.integers().between(0, 3000)),
                Tuple.of(1, Arbitraries.of(-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 128 * SECTOR, 129 * SECTOR)));
        Arbitrary<Long> address = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(-1L)),
                Tuple.of(1, Arbitraries.of(HEADER, DESC, USED, GuardedRam.LOW_SIZE - SECTOR, GuardedRam.HIGH_START,
                        GuardedRam.HIGH_START + GuardedRam.HIGH_SIZE - SECTOR, GuardedRam.HIGH_START - 1)),
                Tuple.of(1, Arbitraries.longs()));
        Arbitrary<Buffer> buffer = Combinators.combine(address, dataLength, Arbitraries.of(true, false)).as(Buffer::new);
        Arbitrary<Integer> statusLength = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(1)),
                Tuple.of(1, Arbitraries.integers().between(0, 600)));
        return Combinators.combine(type, sector, headerLength, Arbitraries.integers().between(0, 15), buffer.list().ofMaxSize(5),
                        statusLength, Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just(true)), Tuple.of(1, Arbitraries.just(false))),
                        Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(false)), Tuple.of(1, Arbitraries.just(true))))
                .as(Request::new)
                // Requests as a driver builds them: data buffers in the direction the type asks for.
                .map(r -> r.type() == VirtioBlock.T_IN || r.type() == VirtioBlock.T_OUT ? directed(r) : r);
    }

    /** Half the time, turns the data buffers the way a driver would for the request's type. */
    private static Request directed(Request r) {
        if ((r.hashCode() & 1) == 0) {
            return r;
        }
        boolean toGuest = r.type() == VirtioBlock.T_IN;
        return new Request(r.type(), r.sector(), r.headerLength(), r.headerSplit(),
                r.data().stream().map(b -> new Buffer(b.address(), b.length(), toGuest)).toList(),
                r.statusLength(), r.statusWritable(), r.readOnly());
    }

    /** What the transport gives an active device, without the transport: served here on the test's thread. */
    private record Runtime(GuestMemory memory, Virtqueue q) implements DeviceRuntime {
        @Override public Virtqueue queue(int index) { return index == 0 ? q : null; }
        @Override public long features() { return 0; }
        @Override public EventLoop loop() { return null; }
        @Override public void notifyQueue(int index) { }
        @Override public EventFd takeKick(int index) { return null; }
        @Override public EventFd callFd(int index) { return null; }
        @Override public void notifyConfig() { }
        @Override public void fail(String reason) { throw new AssertionError("the device failed itself: " + reason); }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("blk-properties");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BlockBackend backend(String name, boolean readOnly) {
        try {
            byte[] content = new byte[DISK_BYTES];
            new Random(name.hashCode()).nextBytes(content);
            return BlockBackend.open("drive-" + name, Files.write(DIR.resolve(name), content), readOnly, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
