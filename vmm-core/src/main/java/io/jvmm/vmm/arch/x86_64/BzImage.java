package io.jvmm.vmm.arch.x86_64;

import io.jvmm.vmm.host.HostFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A Linux bzImage's real-mode setup header (Documentation/arch/x86/boot.rst, "The real-mode
 * kernel header"), checked for what a 64-bit direct boot needs. The protected-mode kernel that
 * follows the setup sectors is not read here: it is streamed into guest memory when loaded.
 */
public final class BzImage {
    static final int SETUP_HEADER_START = 0x1f1;
    private static final int SETUP_SECTS = 0x1f1;
    private static final int BOOT_FLAG = 0x1fe;
    private static final int JUMP = 0x200;
    private static final int HEADER_MAGIC = 0x202;
    private static final int VERSION = 0x206;
    private static final int LOADFLAGS = 0x211;
    private static final int INITRD_ADDR_MAX = 0x22c;
    private static final int KERNEL_ALIGNMENT = 0x230;
    private static final int RELOCATABLE = 0x234;
    private static final int XLOADFLAGS = 0x236;
    private static final int CMDLINE_SIZE = 0x238;
    private static final int PREF_ADDRESS = 0x258;
    private static final int INIT_SIZE = 0x260;
    /** "HdrS" */
    private static final int MAGIC = 0x53726448;
    /** 2.12: xloadflags and the 64-bit entry point at load address + 0x200. */
    private static final int MIN_VERSION = 0x020c;
    private static final int LOADED_HIGH = 0x1;
    private static final int XLF_KERNEL_64 = 0x1;
    private static final int SECTOR = 512;

    private final Path path;
    private final byte[] setupHeader;
    private final long kernelOffset;
    private final long kernelSize;
    private final int version;
    private final long initrdAddressMax;
    private final int cmdlineSize;
    private final long initSize;
    private final long preferredAddress;

    private BzImage(Path path, byte[] setupHeader, long kernelOffset, long kernelSize, ByteBuffer header) {
        this.path = path;
        this.setupHeader = setupHeader;
        this.kernelOffset = kernelOffset;
        this.kernelSize = kernelSize;
        this.version = header.getShort(VERSION) & 0xffff;
        this.initrdAddressMax = header.getInt(INITRD_ADDR_MAX) & 0xffffffffL;
        // An unsigned field: a kernel that takes 2 GiB or more takes any command line jvmm passes.
        this.cmdlineSize = (int) Math.min(Integer.MAX_VALUE, header.getInt(CMDLINE_SIZE) & 0xffffffffL);
        this.initSize = header.getInt(INIT_SIZE) & 0xffffffffL;
        this.preferredAddress = header.getLong(PREF_ADDRESS);
    }

    /** Reads and checks the header of {@code path}; the message of the exception says what is wrong. */
    public static BzImage read(Path path) throws BootException {
        if (!Files.isRegularFile(path)) {
            throw new BootException("-kernel " + path + ": no such file");
        }
        byte[] first = new byte[1024];
        long fileSize;
        try (FileChannel file = HostFiles.forThisProcess().openForReading(path);
             InputStream in = Channels.newInputStream(file)) {
            fileSize = file.size();
            int n = in.readNBytes(first, 0, first.length);
            if (n < first.length) {
                throw notBzImage(path, "it is only " + n + " bytes long");
            }
        } catch (IOException e) {
            throw new BootException("-kernel " + path + ": cannot read it: " + e.getMessage());
        }
        return parse(path, first, fileSize);
    }

    /** Checks a header held in memory ({@code first} holds at least the file's first 1024 bytes). */
    static BzImage parse(Path path, byte[] first, long fileSize) throws BootException {
        ByteBuffer h = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN);
        if ((h.getShort(BOOT_FLAG) & 0xffff) != 0xaa55) {
            throw notBzImage(path, "it has no boot sector signature 0xAA55 at offset 0x1FE");
        }
        if (h.getInt(HEADER_MAGIC) != MAGIC) {
            throw notBzImage(path, "it has no \"HdrS\" setup header at offset 0x202");
        }
        int version = h.getShort(VERSION) & 0xffff;
        if (version < MIN_VERSION) {
            throw notBzImage(path, String.format("its boot protocol is %d.%02d, jvmm needs 2.12 or later",
                    version >> 8, version & 0xff));
        }
        if ((h.get(LOADFLAGS) & LOADED_HIGH) == 0) {
            throw notBzImage(path, "it is a zImage that must load at 0x10000, not a bzImage");
        }
        if ((h.getShort(XLOADFLAGS) & XLF_KERNEL_64) == 0) {
            throw notBzImage(path, "it has no 64-bit entry point (XLF_KERNEL_64 is clear)");
        }
        int setupSects = h.get(SETUP_SECTS) & 0xff;
        if (setupSects == 0) {
            setupSects = 4; // boot.rst: "If this field is 0, the real value is 4."
        }
        long kernelOffset = (long) (setupSects + 1) * SECTOR;
        if (kernelOffset >= fileSize) {
            throw notBzImage(path, "its setup sectors run past the end of the file");
        }
        int headerEnd = JUMP + 2 + (h.get(JUMP + 1) & 0xff);
        byte[] setupHeader = Arrays.copyOfRange(first, SETUP_HEADER_START, Math.min(headerEnd, first.length));
        return new BzImage(path, setupHeader, kernelOffset, fileSize - kernelOffset, h);
    }

    private static BootException notBzImage(Path path, String why) {
        return new BootException("-kernel " + path + ": not a Linux x86 bzImage: " + why);
    }

    public Path path() {
        return path;
    }

    /** The setup header bytes from offset 0x1F1, to copy into the zero page. */
    public byte[] setupHeader() {
        return setupHeader.clone();
    }

    /** Where the protected-mode kernel starts in the file. */
    public long kernelOffset() {
        return kernelOffset;
    }

    public long kernelSize() {
        return kernelSize;
    }

    public int version() {
        return version;
    }

    /** The highest address the initrd may end at (inclusive). */
    public long initrdAddressMax() {
        return initrdAddressMax;
    }

    /** The longest command line the kernel takes, without its terminating NUL. */
    public int cmdlineSize() {
        return cmdlineSize;
    }

    /** Bytes the kernel needs from its load address to decompress and start. */
    public long initSize() {
        return initSize;
    }

    public long preferredAddress() {
        return preferredAddress;
    }
}
