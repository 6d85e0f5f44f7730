package io.jvmm.vmm.arch.x86_64;

import io.jvmm.vmm.kvm.KvmSregs;
import io.jvmm.vmm.memory.GuestMemory;

/**
 * The GDT the kernel is entered with. The 64-bit boot protocol asks for flat 4 GiB segments at
 * __BOOT_CS (0x10, execute/read) and __BOOT_DS (0x18, read/write); a TSS descriptor follows
 * because VMX refuses to enter a guest whose TR is unusable.
 */
public final class BootGdt {
    public static final int CODE_SELECTOR = 0x10;
    public static final int DATA_SELECTOR = 0x18;
    public static final int TSS_SELECTOR = 0x20;

    /** Flags are the descriptor's bits 40..55: access byte, then G/DB/L/AVL in the high nibble. */
    private static final long CODE64 = descriptor(0xa09b, 0, 0xfffff);
    private static final long DATA = descriptor(0xc093, 0, 0xfffff);
    private static final long TSS = descriptor(0x808b, 0, 0xfffff);
    private static final long[] TABLE = {0, 0, CODE64, DATA, TSS};

    private BootGdt() {}

    static long descriptor(int flags, long base, long limit) {
        return ((base & 0xff000000L) << 32) | ((base & 0x00ffffffL) << 16) | (limit & 0xffffL)
                | ((limit & 0xf0000L) << 32) | (((long) flags & 0xf0ffL) << 40);
    }

    public static void write(GuestMemory memory) {
        for (int i = 0; i < TABLE.length; i++) {
            memory.writeLong(Layout.BOOT_GDT + 8L * i, TABLE[i]);
        }
        memory.writeLong(Layout.BOOT_IDT, 0);
    }

    public static int gdtLimit() {
        return TABLE.length * 8 - 1;
    }

    /** The descriptor a selector names, decoded into the parts a segment register caches. */
    public static KvmSregs.Segment segment(int selector) {
        long d = TABLE[selector >> 3];
        long limit = (d & 0xffff) | ((d >>> 32) & 0xf0000);
        long base = ((d >>> 16) & 0xffffff) | ((d >>> 32) & 0xff000000L);
        int access = (int) (d >>> 40) & 0xff;
        int flags = (int) (d >>> 52) & 0xf;
        boolean g = (flags & 0x8) != 0;
        return new KvmSregs.Segment(base, (int) (g ? (limit << 12) | 0xfff : limit), selector, access & 0xf,
                (access & 0x80) != 0, (access >> 5) & 3, (flags & 0x4) != 0, (access & 0x10) == 0, (flags & 0x2) != 0, g);
    }

}
