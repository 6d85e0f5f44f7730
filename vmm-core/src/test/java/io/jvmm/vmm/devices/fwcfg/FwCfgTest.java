package io.jvmm.vmm.devices.fwcfg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.memory.GuestRegion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

/** fw_cfg as OVMF reads it: through the data port, and by DMA into guest memory. */
class FwCfgTest {
    private static final int RAM = 1 << 20;
    private final GuestMemory memory = new GuestMemory(List.of(new GuestRegion(0, RAM,
        Memory.allocateDirect(Runtime.getSystemRuntime(), RAM, true))));
    private final FwCfg fwCfg = new FwCfg(memory);

    private void select(int selector) {
        fwCfg.write(FwCfg.SELECTOR, new byte[] {(byte) selector, (byte) (selector >> 8)});
    }

    private byte[] readData(int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            byte[] b = new byte[1];
            fwCfg.read(FwCfg.DATA, b);
            out[i] = b[0];
        }
        return out;
    }

    /** Writes a descriptor at {@code at} and starts it, as the firmware does: high half, then low. */
    private int dma(long at, int control, int length, long address) {
        memory.writeInt(at, Integer.reverseBytes(control));
        memory.writeInt(at + 4, Integer.reverseBytes(length));
        memory.writeLong(at + 8, Long.reverseBytes(address));
        fwCfg.write(FwCfg.DMA_HIGH, ByteBuffer.allocate(4).putInt((int) (at >>> 32)).array());
        fwCfg.write(FwCfg.DMA_LOW, ByteBuffer.allocate(4).putInt((int) at).array());
        return Integer.reverseBytes(memory.readInt(at));
    }

    @Test
    void theSignatureAndFeaturesAreWhatQemuSays() {
        select(FwCfg.SIGNATURE);
        assertThat(new String(readData(4), StandardCharsets.US_ASCII)).isEqualTo("QEMU");
        assertThat(readData(2)).as("past the end: zeros").containsOnly(0);
        select(FwCfg.ID);
        assertThat(ByteBuffer.wrap(readData(4)).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(3);
        byte[] high = new byte[4];
        byte[] low = new byte[4];
        fwCfg.read(FwCfg.DMA_HIGH, high);
        fwCfg.read(FwCfg.DMA_LOW, low);
        assertThat(ByteBuffer.wrap(high).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(0x51454d55);
        assertThat(ByteBuffer.wrap(low).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(0x20434647);
    }

    @Test
    void filesAreListedInTheDirectoryAndReadBySelector() {
        fwCfg.item(FwCfg.NB_CPUS, new byte[] {4, 0});
        fwCfg.file("etc/e820", new byte[] {1, 2, 3});
        fwCfg.file("etc/acpi/rsdp", new byte[] {9});
        fwCfg.file("etc/e820", new byte[] {1, 2, 3, 4, 5});

        select(FwCfg.FILE_DIR);
        ByteBuffer dir = ByteBuffer.wrap(readData(4 + 2 * 64)).order(ByteOrder.BIG_ENDIAN);
        assertThat(dir.getInt()).isEqualTo(2);
        java.util.Map<String, int[]> entries = new java.util.HashMap<>();
        for (int i = 0; i < 2; i++) {
            int size = dir.getInt();
            int selector = dir.getShort() & 0xffff;
            dir.getShort();
            byte[] name = new byte[FwCfg.FILE_NAME_SIZE];
            dir.get(name);
            entries.put(new String(name, StandardCharsets.US_ASCII).replace("\0", ""), new int[] {size, selector});
        }
        assertThat(entries).containsOnlyKeys("etc/e820", "etc/acpi/rsdp");
        assertThat(entries.get("etc/e820")[0]).isEqualTo(5);
        select(entries.get("etc/e820")[1]);
        assertThat(readData(5)).containsExactly(1, 2, 3, 4, 5);
        select(FwCfg.NB_CPUS);
        assertThat(readData(2)).containsExactly(4, 0);
    }

    @Test
    void dmaSelectsSkipsAndReadsIntoGuestMemory() {
        fwCfg.file("etc/table-loader", "0123456789".getBytes(StandardCharsets.US_ASCII));
        select(FwCfg.FILE_DIR);
        ByteBuffer dir = ByteBuffer.wrap(readData(4 + 64)).order(ByteOrder.BIG_ENDIAN);
        int selector = dir.getShort(8) & 0xffff;

        assertThat(dma(0x1000, selector << 16 | FwCfg.DMA_SELECT | FwCfg.DMA_SKIP, 2, 0)).isZero();
        assertThat(dma(0x1000, FwCfg.DMA_READ, 12, 0x2000)).isZero();
        byte[] read = new byte[12];
        memory.read(0x2000, read);
        assertThat(new String(read, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("23456789");
        assertThat(read[8]).as("zeros past the end").isZero();
        assertThat(read[11]).isZero();
    }

    @Test
    void aGuestsBadDescriptorsFailWithTheErrorBitAndTouchNothingElse() {
        select(FwCfg.SIGNATURE);
        assertThat(dma(0x1000, FwCfg.DMA_READ, 4, RAM - 2)).as("buffer past RAM").isEqualTo(FwCfg.DMA_ERROR);
        assertThat(dma(0x1000, FwCfg.DMA_READ, -1, 0x3000)).as("a 4 GiB read").isEqualTo(FwCfg.DMA_ERROR);
        assertThat(dma(0x1000, FwCfg.DMA_WRITE, 4, 0x3000)).as("writes are refused").isEqualTo(FwCfg.DMA_ERROR);
        // A descriptor outside RAM: nothing to write the error to, and the VMM goes on.
        fwCfg.write(FwCfg.DMA_HIGH, new byte[] {0, 0, 0, 1});
        fwCfg.write(FwCfg.DMA_LOW, new byte[] {0, 0, 0, 0});
        assertThat(dma(0x1000, FwCfg.DMA_READ, 4, 0x3000)).isZero();
        byte[] read = new byte[4];
        memory.read(0x3000, read);
        assertThat(new String(read, StandardCharsets.US_ASCII)).isEqualTo("QEMU");
    }

    @Test
    void namesAndSelectorsAreChecked() {
        assertThatThrownBy(() -> fwCfg.file("x".repeat(56), new byte[0])).hasMessageContaining("1 to 55 characters");
        assertThatThrownBy(() -> fwCfg.item(FwCfg.FILE_DIR, new byte[0])).hasMessageContaining("file directory");
    }
}
