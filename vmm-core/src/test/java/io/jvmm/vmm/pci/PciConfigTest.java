package io.jvmm.vmm.pci;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.vmm.bus.BusDevice;
import io.jvmm.vmm.bus.Bytes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PciConfigTest {
    private final PciSegment segment = new PciSegment();
    private final List<Integer> resets = new ArrayList<>();
    private final PciConfigIo io = new PciConfigIo(segment, new BusDevice() {
        @Override public void read(long offset, byte[] data) { data[0] = 0; }
        @Override public void write(long offset, byte[] data) { resets.add(data[0] & 0xff); }
    });
    private final PciEcam ecam = new PciEcam(segment);

    PciConfigTest() {
        segment.add(new PciAddress(0, 0, 0), new PciHostBridge());
    }

    private long ioRead(int bus, int dev, int fn, int reg, int width) {
        byte[] a = new byte[4];
        Bytes.put(a, 0x80000000L | (bus << 16) | (dev << 11) | (fn << 8) | (reg & 0xfc));
        io.write(0, a);
        byte[] d = new byte[width];
        io.read(4 + (reg & 3), d);
        return Bytes.get(d);
    }

    @Test
    void hostBridgeThroughBothMechanisms() {
        assertThat(ioRead(0, 0, 0, 0, 4)).isEqualTo(0x29c08086L);
        assertThat(ioRead(0, 0, 0, 0x0a, 2)).isEqualTo(0x0600L);
        byte[] d = new byte[4];
        ecam.read(0, d);
        assertThat(Bytes.get(d)).isEqualTo(0x29c08086L);
    }

    @Test
    void emptySlotsReadAllOnes() {
        assertThat(ioRead(0, 3, 0, 0, 4)).isEqualTo(0xffffffffL);
        byte[] d = new byte[4];
        ecam.read((1 << 20) | (2 << 15), d);
        assertThat(Bytes.get(d)).isEqualTo(0xffffffffL);
    }

    @Test
    void addressRegisterReadsBackAndReadOnlyFieldsStay() {
        byte[] a = new byte[4];
        Bytes.put(a, 0x80000000L);
        io.write(0, a);
        byte[] back = new byte[4];
        io.read(0, back);
        assertThat(Bytes.get(back)).isEqualTo(0x80000000L);
        byte[] v = new byte[4];
        Bytes.put(v, 0x12345678L);
        ecam.write(0, v);
        assertThat(ioRead(0, 0, 0, 0, 4)).isEqualTo(0x29c08086L);
    }

    @Test
    void byteWritesToCf9GoToResetControl() {
        io.write(1, new byte[] {6});
        assertThat(resets).containsExactly(6);
    }

    @Test
    void lastBusIsTheHighestSecondaryBusTheRootPortsWerePlacedOn() {
        assertThat(segment.lastBus()).as("bus 0 only").isZero();
        PciRootPort first = new PciRootPort("rp0", 0, 0);
        PciRootPort second = new PciRootPort("rp1", 1, 1);
        segment.add(new PciAddress(0, 1, 0), first);
        segment.add(new PciAddress(0, 1, 1), second);
        first.place(0, 5, 0xc000_0000L, 1 << 20);
        second.place(0, 3, 0xc010_0000L, 1 << 20);
        assertThat(segment.lastBus()).isEqualTo(5);
    }
}
