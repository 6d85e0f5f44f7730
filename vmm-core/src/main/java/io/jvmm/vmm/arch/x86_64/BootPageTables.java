package io.jvmm.vmm.arch.x86_64;

import io.jvmm.vmm.memory.GuestMemory;

/**
 * Identity-mapping page tables for entering the kernel in long mode: the first 4 GiB in 2 MiB
 * pages, which covers the kernel, zero page, command line and initrd wherever they are below
 * 4 GiB. The kernel builds its own tables at once.
 */
public final class BootPageTables {
    private static final long PRESENT = 0x1;
    private static final long WRITABLE = 0x2;
    private static final long HUGE = 0x80;
    private static final int GIBS = 4;

    private BootPageTables() {}

    /** Writes the tables; the returned value is what CR3 must hold. */
    public static long write(GuestMemory memory) {
        memory.writeLong(Layout.PML4, Layout.PDPT | PRESENT | WRITABLE);
        for (int g = 0; g < GIBS; g++) {
            long pd = Layout.PD + 4096L * g;
            memory.writeLong(Layout.PDPT + 8L * g, pd | PRESENT | WRITABLE);
            for (int i = 0; i < 512; i++) {
                long address = ((long) g << 30) | ((long) i << 21);
                memory.writeLong(pd + 8L * i, address | PRESENT | WRITABLE | HUGE);
            }
        }
        return Layout.PML4;
    }
}
