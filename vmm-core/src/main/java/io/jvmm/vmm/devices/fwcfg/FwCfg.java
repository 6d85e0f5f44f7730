package io.jvmm.vmm.devices.fwcfg;

import io.jvmm.vmm.bus.BusDevice;
import io.jvmm.vmm.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * QEMU's firmware configuration device (fw_cfg), through which firmware such as OVMF learns the
 * machine: numbered items (signature, features, CPU count...) and named files (the e820 map,
 * ACPI tables and their loader script). On x86 it is a 16-bit selector at port 0x510, a byte-wide
 * data port at 0x511 that reads the selected item from an offset that selecting resets, and the
 * DMA address register at 0x514 (big-endian, its low half at 0x518 starts the transfer), as QEMU's
 * docs/specs/fw_cfg.rst describes. Register this device at the port base; it spans 12 ports.
 *
 * <p>Everything the guest hands over is untrusted: a DMA descriptor or buffer outside guest RAM
 * ends the transfer with the error bit, and the firmware's writes (data port, DMA write) are
 * refused as QEMU refuses them for read-only items.
 */
public final class FwCfg implements BusDevice {
    public static final int PORT_BASE = 0x510;
    public static final int PORT_COUNT = 12;
    static final int SELECTOR = 0, DATA = 1, DMA_HIGH = 4, DMA_LOW = 8;

    public static final int SIGNATURE = 0x0000, ID = 0x0001, NB_CPUS = 0x0005, MAX_CPUS = 0x000f, FILE_DIR = 0x0019;
    static final int FILE_FIRST = 0x0020;
    /** Feature bits of the ID item: the traditional interface, and DMA. */
    static final int FEATURE_TRADITIONAL = 1, FEATURE_DMA = 2;
    static final int DMA_ERROR = 0x01, DMA_READ = 0x02, DMA_SKIP = 0x04, DMA_SELECT = 0x08, DMA_WRITE = 0x10;
    static final int DMA_DESCRIPTOR_SIZE = 16;
    static final long DMA_SIGNATURE = 0x51454d5520434647L;
    /** DMA reads are copied in pieces of this size: the guest names the length, up to 4 GiB. */
    private static final int DMA_CHUNK = 64 * 1024;
    /** A file's name field in the directory, NUL included. */
    static final int FILE_NAME_SIZE = 56;

    private final GuestMemory memory;
    private final Map<Integer, byte[]> items = new TreeMap<>();
    private final Map<String, Integer> files = new TreeMap<>();
    private int selected = -1;
    private int offset;
    private long dmaAddress;

    public FwCfg(GuestMemory memory) {
        this.memory = memory;
        items.put(SIGNATURE, "QEMU".getBytes(StandardCharsets.US_ASCII));
        items.put(ID, le32(FEATURE_TRADITIONAL | FEATURE_DMA));
        items.put(FILE_DIR, directory());
    }

    /** A numbered item, such as {@link #NB_CPUS}; its bytes as the firmware reads them. */
    public synchronized FwCfg item(int selector, byte[] contents) {
        if (selector == FILE_DIR || selector >= FILE_FIRST) {
            throw new IllegalArgumentException(String.format("selector 0x%x is the file directory's or a file's", selector));
        }
        items.put(selector, contents.clone());
        return this;
    }

    /** A named file, such as etc/e820, listed in the directory; the same name again replaces it. */
    public synchronized FwCfg file(String name, byte[] contents) {
        fileName(name);
        int selector = files.computeIfAbsent(name, n -> FILE_FIRST + files.size());
        items.put(selector, contents.clone());
        items.put(FILE_DIR, directory());
        return this;
    }

    /** A file's name as fw_cfg's directory and the table loader hold it: NUL-padded to 56 bytes. */
    static byte[] fileName(String name) {
        byte[] encoded = name.getBytes(StandardCharsets.US_ASCII);
        if (encoded.length == 0 || encoded.length >= FILE_NAME_SIZE) {
            throw new IllegalArgumentException("a fw_cfg file name has 1 to " + (FILE_NAME_SIZE - 1) + " characters: '"
                + name + "'");
        }
        return java.util.Arrays.copyOf(encoded, FILE_NAME_SIZE);
    }

    /** The directory: a big-endian count, then size, selector, reserved and name of each file. */
    private byte[] directory() {
        ByteBuffer dir = ByteBuffer.allocate(4 + files.size() * (8 + FILE_NAME_SIZE)).order(ByteOrder.BIG_ENDIAN);
        dir.putInt(files.size());
        for (Map.Entry<String, Integer> f : files.entrySet()) {
            dir.putInt(items.get(f.getValue()).length).putShort((short) (int) f.getValue()).putShort((short) 0);
            dir.put(fileName(f.getKey()));
        }
        return dir.array();
    }

    @Override
    public synchronized void read(long port, byte[] data) {
        java.util.Arrays.fill(data, (byte) 0);
        if (port == DATA) {
            for (int i = 0; i < data.length; i++) {
                data[i] = nextByte();
            }
        } else if (port >= DMA_HIGH && port + data.length <= DMA_LOW + 4) {
            // The address register reads as "QEMU CFG", a big-endian 64-bit value (QEMU's signature).
            int shift = 64 - (int) (port - DMA_HIGH) * 8 - data.length * 8;
            long value = DMA_SIGNATURE >>> shift;
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (value >>> (8 * i));
            }
        }
        // The selector reads as 0: it is write-only.
    }

    @Override
    public synchronized void write(long port, byte[] data) {
        if (port == SELECTOR && data.length == 2) {
            select((data[0] & 0xff) | (data[1] & 0xff) << 8);
        } else if (port == DMA_HIGH && data.length == 4) {
            dmaAddress = (long) be32(data) << 32;
        } else if (port == DMA_LOW && data.length == 4) {
            long descriptor = dmaAddress | (be32(data) & 0xffffffffL);
            dmaAddress = 0;
            dma(descriptor);
        }
        // The data port takes no writes, as in QEMU since 2.4.
    }

    private void select(int selector) {
        selected = selector;
        offset = 0;
    }

    private byte nextByte() {
        byte[] item = items.get(selected);
        return item != null && offset < item.length ? item[offset++] : 0;
    }

    /** One DMA descriptor: control, length (big-endian 32-bit each) and the guest buffer's address. */
    private void dma(long descriptor) {
        if (!memory.isRam(descriptor, DMA_DESCRIPTOR_SIZE)) {
            return; // nowhere to report the error: the firmware times out, the VMM goes on
        }
        int control = Integer.reverseBytes(memory.readInt(descriptor));
        int length = Integer.reverseBytes(memory.readInt(descriptor + 4));
        long address = Long.reverseBytes(memory.readLong(descriptor + 8));
        if ((control & DMA_SELECT) != 0) {
            select(control >>> 16);
        }
        boolean ok;
        if ((control & DMA_WRITE) != 0) {
            ok = false;
        } else if ((control & DMA_READ) != 0) {
            ok = dmaRead(address, length);
        } else if ((control & DMA_SKIP) != 0) {
            offset += (int) Math.min(length & 0xffffffffL, remaining());
            ok = true;
        } else {
            ok = true;
        }
        memory.writeInt(descriptor, Integer.reverseBytes(ok ? 0 : DMA_ERROR));
    }

    private boolean dmaRead(long address, int length) {
        long count = length & 0xffffffffL;
        if (!memory.isRam(address, count)) {
            return false;
        }
        byte[] item = items.get(selected);
        for (long done = 0; done < count; ) {
            byte[] piece = new byte[(int) Math.min(DMA_CHUNK, count - done)];
            // Past the item's end the firmware reads zeros, as from the data port.
            int n = Math.min(piece.length, remaining());
            if (n > 0) {
                System.arraycopy(item, offset, piece, 0, n);
                offset += n;
            }
            memory.write(address + done, piece);
            done += piece.length;
        }
        return true;
    }

    private int remaining() {
        byte[] item = items.get(selected);
        return item == null ? 0 : Math.max(0, item.length - offset);
    }

    static byte[] le32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }

    private static int be32(byte[] data) {
        return ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN).getInt();
    }
}
