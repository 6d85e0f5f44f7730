package io.jvmm.vmm.arch.x86_64;

/**
 * The guest physical memory map of the jvmm q35-style machine: every fixed address in one place.
 *
 * <pre>
 *   0x0000_0000  RAM (the first 640 KiB, less the EBDA)
 *       0x0500     boot GDT and IDT
 *       0x7000     zero page (struct boot_params)
 *       0x9000     boot page tables (PML4, PDPT, 4 PDs)
 *       0x2_0000   kernel command line
 *   0x0009_FC00  EBDA..BIOS area: reserved, never RAM to the guest
 *       0xE_0000   ACPI tables (RSDP first, where the kernel also scans for it)
 *   0x0010_0000  RAM: protected-mode kernel, then free RAM, initrd at the top of low RAM
 *   LOW_RAM_END  end of low RAM (at most 0xB000_0000)
 *   0xB000_0000  PCIe ECAM (MMCONFIG), 256 buses
 *   0xC000_0000  32-bit PCI MMIO window
 *   0xFEC0_0000  IOAPIC     0xFEE0_0000  local APICs
 *   0xFFFB_C000  KVM identity map page, 0xFFFB_D000 KVM TSS (3 pages)
 *   0x1_0000_0000 RAM above 4 GiB (what did not fit below the hole)
 * </pre>
 */
public final class Layout {
    private Layout() {}

    /** The boot GDT: below the zero page, in RAM the kernel treats as free once it has its own. */
    public static final long BOOT_GDT = 0x500;
    /** An empty IDT: the kernel must not take an interrupt before it loads its own. */
    public static final long BOOT_IDT = 0x520;
    /** struct boot_params (the "zero page"); RSI points at it on 64-bit entry. */
    public static final long ZERO_PAGE = 0x7000;
    /** Initial stack, below the zero page; the kernel switches stacks almost at once. */
    public static final long BOOT_STACK = 0x8ff0;
    /** Identity-mapping page tables for long-mode entry: PML4, one PDPT, four PDs (4 GiB of 2 MiB pages). */
    public static final long PML4 = 0x9000;
    public static final long PDPT = 0xa000;
    public static final long PD = 0xb000;
    /** Kernel command line; the boot protocol wants it below the kernel and reachable in 32 bits. */
    public static final long CMDLINE = 0x20000;
    /** The largest command line jvmm passes (the kernel's own limit, cmdline_size, may be smaller). */
    public static final int CMDLINE_MAX = 0x10000;
    /** Start of the Extended BIOS Data Area: conventional RAM ends here (the e820 map says so). */
    public static final long EBDA_START = 0x9fc00;
    /** The BIOS read-only area; the kernel scans 0xE0000..0xFFFFF for the RSDP. */
    public static final long BIOS_AREA_START = 0xe0000;
    public static final long BIOS_AREA_END = 0x100000;
    /** ACPI tables, RSDP first (16-byte aligned as the scan requires). */
    public static final long ACPI_TABLES = BIOS_AREA_START;
    /** Where the protected-mode kernel is loaded; its 64-bit entry point is 0x200 further. */
    public static final long KERNEL_LOAD = 0x100000;
    /** Offset of the 64-bit entry point from the load address (boot protocol 2.12+). */
    public static final long KERNEL_64BIT_ENTRY_OFFSET = 0x200;
    /** Start of the 32-bit hole: devices, not RAM, from here to 4 GiB. Q35 also puts ECAM here. */
    public static final long LOW_RAM_MAX_END = 0xb000_0000L;
    /** PCIe ECAM (MMCONFIG): 1 MiB per bus, buses 0..255, as QEMU's q35 places it. */
    public static final long PCIE_ECAM = 0xb000_0000L;
    public static final long PCIE_ECAM_SIZE = 256L << 20;
    /** 32-bit PCI MMIO window: for device BARs, from the end of ECAM to the IOAPIC. */
    public static final long PCI_MMIO32 = 0xc000_0000L;
    public static final long PCI_MMIO32_END = 0xfec0_0000L;
    /** The in-kernel IOAPIC's registers (KVM_CREATE_IRQCHIP puts it here). */
    public static final long IOAPIC = 0xfec0_0000L;
    /** Local APIC registers, at the architectural default. */
    public static final long LAPIC = 0xfee0_0000L;
    /** KVM_SET_IDENTITY_MAP_ADDR: one page VMX needs for real mode, in the hole below the TSS. */
    public static final long KVM_IDENTITY_MAP = 0xfffb_c000L;
    /** KVM_SET_TSS_ADDR: three pages VMX needs, just below the BIOS flash range. */
    public static final long KVM_TSS = 0xfffb_d000L;
    /** RAM that does not fit below the hole continues here. */
    public static final long HIGH_RAM_START = 0x1_0000_0000L;
    /** 64-bit PCI MMIO window size, placed after the end of high RAM (aligned to 1 GiB). */
    public static final long PCI_MMIO64_SIZE = 64L << 30;

    /** The I/O port block of the ACPI PM registers (ICH9's PMBASE as QEMU's q35 programs it). */
    public static final int ACPI_PM_PORT = 0x600;
    /** The legacy interrupt the ACPI SCI uses (ICH9 default). */
    public static final int SCI_IRQ = 9;
    /** COM1. */
    public static final int COM1_PORT = 0x3f8;
    public static final int COM1_IRQ = 4;
    /** The PCI reset control register; the FADT names it as the ACPI reset register. */
    public static final int RESET_CONTROL_PORT = 0xcf9;

    /** End of low RAM for {@code ram} bytes of memory. */
    public static long lowRamEnd(long ram) {
        return Math.min(ram, LOW_RAM_MAX_END);
    }

    /** Bytes of RAM above 4 GiB for {@code ram} bytes of memory. */
    public static long highRamSize(long ram) {
        return Math.max(0, ram - LOW_RAM_MAX_END);
    }

    /** Start of the 64-bit PCI MMIO window. */
    public static long pciMmio64(long ram) {
        long end = HIGH_RAM_START + highRamSize(ram);
        return (end + (1L << 30) - 1) & -(1L << 30);
    }
}
