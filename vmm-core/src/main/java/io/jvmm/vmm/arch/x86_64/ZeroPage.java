package io.jvmm.vmm.arch.x86_64;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** struct boot_params (Documentation/arch/x86/zero-page.rst), built for a 64-bit direct boot. */
public final class ZeroPage {
    public static final int SIZE = 4096;
    private static final int ACPI_RSDP_ADDR = 0x070;
    private static final int EXT_RAMDISK_IMAGE = 0x0c0;
    private static final int EXT_RAMDISK_SIZE = 0x0c4;
    private static final int EXT_CMD_LINE_PTR = 0x0c8;
    private static final int E820_ENTRIES = 0x1e8;
    private static final int VID_MODE = 0x1fa;
    private static final int TYPE_OF_LOADER = 0x210;
    private static final int LOADFLAGS = 0x211;
    private static final int RAMDISK_IMAGE = 0x218;
    private static final int RAMDISK_SIZE = 0x21c;
    private static final int HEAP_END_PTR = 0x224;
    private static final int CMD_LINE_PTR = 0x228;
    private static final int E820_TABLE = 0x2d0;
    private static final int E820_MAX = 128;
    /** "Undefined" boot loader: boot.rst asks unregistered loaders for 0xFF. */
    private static final int LOADER_UNDEFINED = 0xff;
    private static final int CAN_USE_HEAP = 0x80;
    private static final int KEEP_SEGMENTS = 0x40;

    private final ByteBuffer page = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);

    public ZeroPage(BzImage kernel) {
        page.put(BzImage.SETUP_HEADER_START, kernel.setupHeader());
        page.put(TYPE_OF_LOADER, (byte) LOADER_UNDEFINED);
        // No real-mode code runs, so there is no setup heap; 0xFFFF is "normal VGA" text mode.
        int loadflags = page.get(LOADFLAGS) & ~(CAN_USE_HEAP | KEEP_SEGMENTS);
        page.put(LOADFLAGS, (byte) loadflags);
        page.putShort(HEAP_END_PTR, (short) 0);
        page.putShort(VID_MODE, (short) 0xffff);
    }

    public ZeroPage commandLine(long address) {
        page.putInt(CMD_LINE_PTR, (int) address);
        page.putInt(EXT_CMD_LINE_PTR, (int) (address >>> 32));
        return this;
    }

    public ZeroPage ramdisk(long address, long size) {
        page.putInt(RAMDISK_IMAGE, (int) address);
        page.putInt(RAMDISK_SIZE, (int) size);
        page.putInt(EXT_RAMDISK_IMAGE, (int) (address >>> 32));
        page.putInt(EXT_RAMDISK_SIZE, (int) (size >>> 32));
        return this;
    }

    /** Boot protocol 2.14: the RSDP address, sparing the kernel its scan of the BIOS area. */
    public ZeroPage acpiRsdp(long address) {
        page.putLong(ACPI_RSDP_ADDR, address);
        return this;
    }

    public ZeroPage e820(List<E820Map.Entry> entries) {
        if (entries.size() > E820_MAX) {
            throw new IllegalArgumentException("more than " + E820_MAX + " e820 entries");
        }
        page.put(E820_ENTRIES, (byte) entries.size());
        for (int i = 0; i < entries.size(); i++) {
            E820Map.Entry e = entries.get(i);
            int o = E820_TABLE + 20 * i;
            page.putLong(o, e.address());
            page.putLong(o + 8, e.size());
            page.putInt(o + 16, e.type());
        }
        return this;
    }

    public byte[] bytes() {
        return page.array().clone();
    }
}
