package io.jvmm.vmm.virtio.pci;

import static io.jvmm.vmm.virtio.TestRam.descriptor;
import static io.jvmm.vmm.virtio.TestRam.offer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jvmm.vmm.host.EventLoop;
import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.virtio.block.BlockBackend;
import io.jvmm.vmm.virtio.block.VirtioBlock;
import io.jvmm.vmm.virtio.rng.VirtioRng;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport and the block device as a guest driver sees them: feature negotiation, a queue,
 * requests served into and out of a host file, MSI-X on completion; and a hostile chain that
 * stops only its own device (NEEDS_RESET) while a device on the same I/O thread carries on, and
 * that a reset brings back.
 */
class VirtioPciDeviceTest {
    private static final int NEXT = 1, WRITE = 2, SIZE = 16;
    private static final long DESC = 0x1000, AVAIL = 0x2000, USED = 0x3000, REQ = 0x10000, DATA = 0x11000, STATUS = 0x12000;
    private final GuestMemory ram = io.jvmm.vmm.virtio.TestRam.create();
    private final EventLoop loop = new EventLoop("test-io");

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        loop.close();
    }

    private TestDriver block(boolean readOnly) throws Exception {
        return block(readOnly, 0);
    }

    private TestDriver block(boolean readOnly, long iops) throws Exception {
        Path disk = dir.resolve("disk.raw");
        Files.write(disk, new byte[1 << 20]);
        VirtioBlock blk = new VirtioBlock("vda", BlockBackend.open("drive0", disk, readOnly, iops));
        TestDriver d = new TestDriver(blk, ram, loop);
        d.negotiate(0);
        assertThat(d.status() & 0x8).as("FEATURES_OK kept").isNotZero();
        d.queue(0, SIZE, DESC, AVAIL, USED, 1);
        d.driverOk();
        return d;
    }

    private int request(TestDriver d, int head, int type, long sector, int length) {
        ram.writeInt(REQ, type);
        ram.writeLong(REQ + 8, sector);
        int dataFlags = type == 0 ? NEXT | WRITE : NEXT;
        descriptor(ram, DESC, head, REQ, 16, NEXT, head + 1);
        descriptor(ram, DESC, head + 1, DATA, length, dataFlags, head + 2);
        descriptor(ram, DESC, head + 2, STATUS, 1, WRITE, 0);
        int usedBefore = ram.readShort(USED + 2) & 0xffff;
        offer(ram, AVAIL, SIZE, head);
        d.kick(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> (ram.readShort(USED + 2) & 0xffff) == usedBefore + 1);
        return ram.readByte(STATUS);
    }

    @Test
    void servesWritesAndReadsThroughTheHostFileAndInterrupts() throws Exception {
        TestDriver d = block(false);
        byte[] pattern = "jvmm block pattern".getBytes(StandardCharsets.US_ASCII);
        ram.write(DATA, pattern);
        assertThat(request(d, 0, 1, 8, 512)).as("write status").isZero();
        byte[] onDisk = Files.readAllBytes(dir.resolve("disk.raw"));
        assertThat(ByteBuffer.wrap(onDisk, 8 * 512, pattern.length)).isEqualTo(ByteBuffer.wrap(pattern));

        ram.write(DATA, new byte[512]);
        assertThat(request(d, 0, 0, 8, 512)).as("read status").isZero();
        byte[] back = new byte[pattern.length];
        ram.read(DATA, back);
        assertThat(back).isEqualTo(pattern);
        assertThat(request(d, 0, 4, 0, 0)).as("flush status").isZero();
        assertThat(d.interrupts).isNotEmpty().allSatisfy(m -> assertThat(m[1]).isEqualTo(0x31));

        assertThat(request(d, 0, 1, 2048, 512)).as("write past the end").isEqualTo(1);
        assertThat(request(d, 0, 99, 0, 0)).as("unknown request").isEqualTo(2);
    }

    @Test
    void iopsLimitHoldsRequestsBack() throws Exception {
        TestDriver d = block(false, 100);
        long start = System.nanoTime();
        for (int i = 0; i < 40; i++) {
            assertThat(request(d, 0, 0, i, 512)).isZero();
        }
        // 10 requests of burst, then 30 at 100 per second: never sooner than 0.3 s.
        assertThat(System.nanoTime() - start).isGreaterThan(290_000_000L);
    }

    @Test
    void entropyLimitServesEveryRequestAtTheRate() throws Exception {
        TestDriver rng = new TestDriver(new VirtioRng("rng0", VirtioRng.open(Path.of("/dev/urandom")), 1000, 1000), ram, loop);
        rng.negotiate(1L << 29);
        rng.queue(0, SIZE, DESC, AVAIL, USED, 1);
        rng.driverOk();
        long start = System.nanoTime();
        int total = 0;
        for (int i = 0; i < 40; i++) {
            descriptor(ram, DESC, 0, DATA, 64, WRITE, 0);
            int usedBefore = ram.readShort(USED + 2) & 0xffff;
            offer(ram, AVAIL, SIZE, 0);
            rng.kick(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> (ram.readShort(USED + 2) & 0xffff) == usedBefore + 1);
            int len = ram.readInt(USED + 4 + 8L * (usedBefore % SIZE) + 4);
            assertThat(len).as("request %d got bytes", i).isBetween(1, 64);
            total += len;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(total / seconds).as("bytes per second").isLessThan(1000 * 1.1 + 100 / seconds);
    }

    @Test
    void readOnlyDriveRefusesWrites() throws Exception {
        TestDriver d = block(true);
        assertThat(d.read(0x04, 4) & (1 << 5)).as("VIRTIO_BLK_F_RO offered").isNotZero();
        assertThat(request(d, 0, 1, 0, 512)).isEqualTo(1);
    }

    @Test
    void hostileChainStopsOnlyItsDeviceUntilReset() throws Exception {
        TestDriver blk = block(false);
        TestDriver rng = new TestDriver(new VirtioRng("rng0", VirtioRng.open(Path.of("/dev/urandom")), 0, 1000), ram, loop);
        long rngDesc = 0x6000, rngAvail = 0x7000, rngUsed = 0x8000;
        rng.negotiate(0);
        rng.queue(0, SIZE, rngDesc, rngAvail, rngUsed, 1);
        rng.driverOk();

        descriptor(ram, DESC, 0, REQ, 16, NEXT, 1);
        descriptor(ram, DESC, 1, DATA, 16, NEXT, 0); // 0 -> 1 -> 0 -> ...
        offer(ram, AVAIL, SIZE, 0);
        blk.kick(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> (blk.status() & 0x40) != 0);
        assertThat(ram.readShort(USED + 2)).as("nothing used").isZero();

        descriptor(ram, rngDesc, 0, 0x20000, 64, WRITE, 0);
        offer(ram, rngAvail, SIZE, 0);
        rng.kick(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> ram.readShort(rngUsed + 2) == 1);
        assertThat(ram.readInt(rngUsed + 8)).as("entropy bytes").isEqualTo(64);

        for (long a = DESC; a < USED + 0x1000; a += 8) {
            ram.writeLong(a, 0);
        }
        blk.negotiate(0);
        assertThat(blk.status() & 0x40).as("reset clears NEEDS_RESET").isZero();
        blk.queue(0, SIZE, DESC, AVAIL, USED, 1);
        blk.driverOk();
        assertThat(request(blk, 0, 4, 0, 0)).isZero();
    }

    @Test
    void queueOutsideRamAtDriverOkIsNeedsReset() throws Exception {
        Path disk = dir.resolve("d.raw");
        Files.write(disk, new byte[4096]);
        TestDriver d = new TestDriver(new VirtioBlock("vdb", BlockBackend.open("d", disk, false, 0)), ram, loop);
        d.negotiate(0);
        d.queue(0, SIZE, 0x7fff_0000L, AVAIL, USED, 1);
        d.driverOk();
        assertThat(d.status() & 0x40).isNotZero();
    }

    @Test
    void featuresTheDeviceDidNotOfferAreRefused() throws Exception {
        Path disk = dir.resolve("e.raw");
        Files.write(disk, new byte[4096]);
        TestDriver d = new TestDriver(new VirtioBlock("vdc", BlockBackend.open("e", disk, false, 0)), ram, loop);
        d.negotiate(1L << 40);
        assertThat(d.status() & 0x8).as("FEATURES_OK").isZero();
    }
}
