package io.jvmm.vmm.arch.x86_64;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file with a valid bzImage setup header (protocol 2.15) and a dummy kernel: for tests, and for
 * the class-data-sharing training run, which starts a VM without running it.
 */
public final class FakeBzImage {
    private FakeBzImage() {}

    public static byte[] bytes(long initSize) {
        ByteBuffer b = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0x1f1, (byte) 1); // one setup sector
        b.putShort(0x1fe, (short) 0xaa55);
        b.put(0x200, (byte) 0xeb).put(0x201, (byte) 0x66); // jump over the header, which ends at 0x268
        b.putInt(0x202, 0x53726448); // "HdrS"
        b.putShort(0x206, (short) 0x020f);
        b.put(0x211, (byte) 0x01); // LOADED_HIGH
        b.putInt(0x22c, 0x7fffffff);
        b.putShort(0x236, (short) 0x1); // XLF_KERNEL_64
        b.putInt(0x238, 2048);
        b.putLong(0x258, 0x1000000);
        b.putInt(0x260, (int) initSize);
        return b.array();
    }

    public static Path write(Path file, long initSize) throws IOException {
        return Files.write(file, bytes(initSize));
    }

    /**
     * The same, with {@code code} at the 64-bit entry point (0x200 into the protected-mode
     * kernel, which follows the two setup sectors), for tests that run it.
     */
    public static Path write(Path file, long initSize, byte[] code) throws IOException {
        byte[] image = bytes(initSize);
        System.arraycopy(code, 0, image, 2 * 512 + 0x200, code.length);
        return Files.write(file, image);
    }
}
