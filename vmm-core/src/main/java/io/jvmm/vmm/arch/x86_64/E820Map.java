package io.jvmm.vmm.arch.x86_64;

import java.util.ArrayList;
import java.util.List;

/** The BIOS e820 memory map the zero page hands the kernel. */
public final class E820Map {
    public static final int RAM = 1;
    public static final int RESERVED = 2;

    public record Entry(long address, long size, int type) {}

    private E820Map() {}

    /** The map for a machine with {@code ram} bytes of RAM (see {@link Layout}). */
    public static List<Entry> forRam(long ram) {
        List<Entry> map = new ArrayList<>();
        map.add(new Entry(0, Layout.EBDA_START, RAM));
        // The EBDA and BIOS area: the ACPI tables live here; the kernel must not reuse it.
        map.add(new Entry(Layout.EBDA_START, Layout.BIOS_AREA_END - Layout.EBDA_START, RESERVED));
        map.add(new Entry(Layout.KERNEL_LOAD, Layout.lowRamEnd(ram) - Layout.KERNEL_LOAD, RAM));
        // Linux checks that MMCONFIG is reserved before it trusts the MCFG table.
        map.add(new Entry(Layout.PCIE_ECAM, Layout.PCIE_ECAM_SIZE, RESERVED));
        // KVM's identity map and TSS pages are guest-physical memory the guest must not use.
        map.add(new Entry(Layout.KVM_IDENTITY_MAP, 4 * 4096, RESERVED));
        long high = Layout.highRamSize(ram);
        if (high > 0) {
            map.add(new Entry(Layout.HIGH_RAM_START, high, RAM));
        }
        return map;
    }
}
