package io.jvmm.vmm.devices.fwcfg;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The script of fw_cfg's "etc/table-loader" file (QEMU's hw/acpi/bios-linker-loader.c format),
 * by which firmware places tables it finds in fw_cfg files and links them: allocate a file's
 * contents in a memory zone, add one file's address to a pointer field in another, compute a
 * checksum over a range. Each command is 128 bytes, little-endian, names NUL-padded to 56.
 * OVMF and SeaBIOS run it in order, so a checksum must come after the pointers in its range.
 */
public final class TableLoader {
    static final int ENTRY_SIZE = 128;
    static final int ALLOCATE = 1, ADD_POINTER = 2, ADD_CHECKSUM = 3;

    /** Where ALLOCATE puts a file: anywhere in 32-bit memory, or the BIOS F segment (0xE0000-0xFFFFF). */
    public enum Zone {
        HIGH(1), FSEG(2);

        final int code;

        Zone(int code) {
            this.code = code;
        }
    }

    private final ByteArrayOutputStream script = new ByteArrayOutputStream();

    /** Places file {@code file}'s contents at an address aligned to {@code align} in {@code zone}. */
    public TableLoader allocate(String file, int align, Zone zone) {
        ByteBuffer e = entry(ALLOCATE);
        e.put(FwCfg.fileName(file)).putInt(align).put((byte) zone.code);
        return add(e);
    }

    /**
     * Adds the address of file {@code source} to the {@code size}-byte field at {@code offset} in
     * file {@code destination}, which holds an offset into {@code source} until then.
     */
    public TableLoader addPointer(String destination, String source, int offset, int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("a pointer is 1, 2, 4 or 8 bytes, not " + size);
        }
        ByteBuffer e = entry(ADD_POINTER);
        e.put(FwCfg.fileName(destination)).put(FwCfg.fileName(source)).putInt(offset).put((byte) size);
        return add(e);
    }

    /**
     * Sets the byte at {@code offset} in {@code file} so that {@code length} bytes from
     * {@code start} sum to zero; the byte must be zero before (OVMF sums the range with it).
     */
    public TableLoader addChecksum(String file, int offset, int start, int length) {
        ByteBuffer e = entry(ADD_CHECKSUM);
        e.put(FwCfg.fileName(file)).putInt(offset).putInt(start).putInt(length);
        return add(e);
    }

    public byte[] bytes() {
        return script.toByteArray();
    }

    private static ByteBuffer entry(int command) {
        return ByteBuffer.allocate(ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN).putInt(command);
    }

    private TableLoader add(ByteBuffer entry) {
        script.writeBytes(entry.array());
        return this;
    }
}
