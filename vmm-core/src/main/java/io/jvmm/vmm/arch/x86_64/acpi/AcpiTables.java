package io.jvmm.vmm.arch.x86_64.acpi;

import io.jvmm.vmm.arch.x86_64.Layout;
import io.jvmm.vmm.devices.fwcfg.TableLoader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine's ACPI tables, laid out from {@link Layout#ACPI_TABLES}: RSDP, XSDT, FADT (with
 * FACS and DSDT), MADT and MCFG. Full (not hardware-reduced) ACPI, so that the guest finds a
 * PM1 control register to power off with and a fixed power button for system_powerdown.
 */
public final class AcpiTables {
    /**
     * SLP_TYP value of \_S5: the guest writes it to PM1 control to power off, and the PM device
     * looks for it. 0, as QEMU's q35 has it: OVMF powers the machine off by writing 0 without
     * reading the DSDT, and Linux writes what \_S5 says.
     */
    public static final int S5_SLP_TYP = 0;
    /** Offsets of the PM registers inside the ACPI PM I/O block (QEMU's ICH9 layout). */
    public static final int PM1_EVT_OFFSET = 0x00, PM1_CNT_OFFSET = 0x04, PM_TMR_OFFSET = 0x08, GPE0_OFFSET = 0x20;
    public static final int PM1_EVT_LEN = 4, PM1_CNT_LEN = 2, PM_TMR_LEN = 4, GPE0_LEN = 16;
    /** The ACPI reset register's value (FADT RESET_VALUE) at the reset control port: full reset. */
    public static final int RESET_VALUE = 0x06;

    private final long base;
    private final byte[] blob;
    private final Map<String, Long> addresses;

    private AcpiTables(long base, byte[] blob, Map<String, Long> addresses) {
        this.base = base;
        this.blob = blob;
        this.addresses = addresses;
    }

    /**
     * Builds the tables for {@code cpus} vCPUs (APIC ids 0..cpus-1), {@code ram} bytes of RAM and
     * PCI buses 0..{@code lastBus}.
     */
    public static AcpiTables build(int cpus, long ram, int lastBus) {
        long base = Layout.ACPI_TABLES;
        Placer placer = new Placer(base);
        long rsdp = placer.reserve("RSDP", 36, 16);
        Placed tables = place(placer, cpus, ram, lastBus);
        placer.put(rsdp, rsdp(tables.xsdt()));
        if (placer.end() > Layout.BIOS_AREA_END) {
            throw new IllegalStateException("ACPI tables overflow the BIOS area");
        }
        return new AcpiTables(base, placer.bytes(), placer.addresses);
    }

    /** fw_cfg file names of the tables for firmware, as QEMU names them. */
    public static final String TABLES_FILE = "etc/acpi/tables", RSDP_FILE = "etc/acpi/rsdp";

    /**
     * The tables as UEFI firmware takes them, from fw_cfg (OVMF installs no ACPI tables of its own
     * for this machine, and Linux booted by EFI does not scan the BIOS area for an RSDP): every
     * table but the RSDP in {@link #TABLES_FILE}, their pointer fields holding offsets into it;
     * the RSDP in {@link #RSDP_FILE}; and the table loader's script, which places both, turns
     * every offset into an address and then sets each checksum (whose byte is zero until then).
     * OVMF installs each table a pointer leads to and skips one whose checksum is wrong.
     */
    public record ForFirmware(byte[] tables, byte[] rsdp, byte[] loader) {}

    public static ForFirmware forFirmware(int cpus, long ram, int lastBus) {
        Placer placer = new Placer(0);
        Placed t = place(placer, cpus, ram, lastBus);
        byte[] tables = placer.bytes();
        byte[] rsdp = rsdp(t.xsdt());
        TableLoader loader = new TableLoader()
                .allocate(RSDP_FILE, 16, TableLoader.Zone.FSEG)
                .allocate(TABLES_FILE, 64, TableLoader.Zone.HIGH);
        for (int field : new int[] {FADT_FIRMWARE_CTRL, FADT_DSDT}) {
            loader.addPointer(TABLES_FILE, TABLES_FILE, (int) t.fadt() + field, 4);
        }
        for (int field : new int[] {FADT_X_FIRMWARE_CTRL, FADT_X_DSDT}) {
            loader.addPointer(TABLES_FILE, TABLES_FILE, (int) t.fadt() + field, 8);
        }
        for (int entry = 0; entry < XSDT_ENTRIES; entry++) {
            loader.addPointer(TABLES_FILE, TABLES_FILE, (int) t.xsdt() + SdtBuilder.HEADER_SIZE + 8 * entry, 8);
        }
        loader.addPointer(RSDP_FILE, TABLES_FILE, RSDP_XSDT_ADDRESS, 8);
        for (long table : new long[] {t.dsdt(), t.fadt(), t.madt(), t.mcfg(), t.xsdt()}) {
            int at = (int) table;
            int length = java.nio.ByteBuffer.wrap(tables, at + 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
            tables[at + SDT_CHECKSUM] = 0;
            loader.addChecksum(TABLES_FILE, at + SDT_CHECKSUM, at, length);
        }
        rsdp[RSDP_CHECKSUM] = 0;
        rsdp[RSDP_EXTENDED_CHECKSUM] = 0;
        loader.addChecksum(RSDP_FILE, RSDP_CHECKSUM, 0, 20).addChecksum(RSDP_FILE, RSDP_EXTENDED_CHECKSUM, 0, 36);
        return new ForFirmware(tables, rsdp, loader.bytes());
    }

    /** Offsets of fields that hold addresses or checksums, from the ACPI specification. */
    static final int SDT_CHECKSUM = 9, RSDP_CHECKSUM = 8, RSDP_XSDT_ADDRESS = 24, RSDP_EXTENDED_CHECKSUM = 32;
    static final int FADT_FIRMWARE_CTRL = 36, FADT_DSDT = 40, FADT_X_FIRMWARE_CTRL = 132, FADT_X_DSDT = 140;
    static final int XSDT_ENTRIES = 3;

    private record Placed(long xsdt, long facs, long dsdt, long fadt, long madt, long mcfg) {}

    /** Every table but the RSDP, placed and put by {@code placer}; the XSDT lists FADT, MADT and MCFG. */
    private static Placed place(Placer placer, int cpus, long ram, int lastBus) {
        if (lastBus < 0 || lastBus > 0xff) {
            throw new IllegalArgumentException("last PCI bus " + lastBus + " is not in 0..255");
        }
        long xsdt = placer.reserve("XSDT", SdtBuilder.HEADER_SIZE + 8 * XSDT_ENTRIES, 16);
        long facs = placer.reserve("FACS", 64, 64);
        byte[] dsdtTable = dsdt(ram, lastBus);
        long dsdt = placer.reserve("DSDT", dsdtTable.length, 16);
        byte[] fadtTable = fadt(facs, dsdt);
        long fadt = placer.reserve("FACP", fadtTable.length, 16);
        byte[] madtTable = madt(cpus);
        long madt = placer.reserve("APIC", madtTable.length, 16);
        byte[] mcfgTable = mcfg(lastBus);
        long mcfg = placer.reserve("MCFG", mcfgTable.length, 16);

        placer.put(xsdt, new SdtBuilder("XSDT", 1).u64(fadt).u64(madt).u64(mcfg).build());
        placer.put(facs, facs());
        placer.put(dsdt, dsdtTable);
        placer.put(fadt, fadtTable);
        placer.put(madt, madtTable);
        placer.put(mcfg, mcfgTable);
        return new Placed(xsdt, facs, dsdt, fadt, madt, mcfg);
    }

    public long base() {
        return base;
    }

    public long rsdpAddress() {
        return addresses.get("RSDP");
    }

    public long address(String signature) {
        return addresses.get(signature);
    }

    public byte[] bytes() {
        return blob.clone();
    }

    /** RSDP revision 2 (5.2.5.3): points at the XSDT only. */
    static byte[] rsdp(long xsdt) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes("RSD PTR ".getBytes(StandardCharsets.US_ASCII));
        o.write(0); // checksum of the first 20 bytes
        o.writeBytes(SdtBuilder.OEM_ID.getBytes(StandardCharsets.US_ASCII));
        o.write(2); // revision: ACPI 2.0+, XSDT present
        o.writeBytes(new byte[4]); // RSDT address: none
        o.writeBytes(new byte[] {36, 0, 0, 0});
        for (int i = 0; i < 8; i++) {
            o.write((int) (xsdt >>> (8 * i)));
        }
        o.writeBytes(new byte[4]); // extended checksum + reserved
        byte[] r = o.toByteArray();
        r[8] = SdtBuilder.checksum(r, 0, 20);
        r[32] = SdtBuilder.checksum(r, 0, 36);
        return r;
    }

    /** FACS (5.2.10): required when the FADT is not hardware-reduced; no firmware wakes us. */
    static byte[] facs() {
        byte[] f = new byte[64];
        System.arraycopy("FACS".getBytes(StandardCharsets.US_ASCII), 0, f, 0, 4);
        f[4] = 64;
        f[32] = 2; // version
        return f;
    }

    /** FADT revision 6 (5.2.9), 276 bytes: the PM register blocks, SCI, reset register, boot flags. */
    static byte[] fadt(long facs, long dsdt) {
        int pm = Layout.ACPI_PM_PORT;
        // IAPC_BOOT_ARCH: no VGA; no 8042 either, so that Linux does not probe a keyboard
        // controller (reboot=k still works: it writes the i8042 reset command blindly).
        int bootArch = 1 << 2;
        // WBINVD, C1 supported, no fixed sleep button, 32-bit PM timer, reset register
        // supported. PWR_BUTTON clear: the power button is the fixed-feature one.
        int flags = (1 << 0) | (1 << 2) | (1 << 5) | (1 << 8) | (1 << 10);
        SdtBuilder t = new SdtBuilder("FACP", 6);
        t.u32(facs).u32(dsdt);
        t.u8(0).u8(0); // reserved, preferred PM profile unspecified
        t.u16(Layout.SCI_IRQ);
        t.u32(0); // SMI_CMD: none, the machine is always in ACPI mode
        t.u8(0).u8(0).u8(0).u8(0); // ACPI_ENABLE, ACPI_DISABLE, S4BIOS_REQ, PSTATE_CNT
        t.u32(pm + PM1_EVT_OFFSET).u32(0).u32(pm + PM1_CNT_OFFSET).u32(0).u32(0);
        t.u32(pm + PM_TMR_OFFSET).u32(pm + GPE0_OFFSET).u32(0);
        t.u8(PM1_EVT_LEN).u8(PM1_CNT_LEN).u8(0).u8(PM_TMR_LEN).u8(GPE0_LEN).u8(0).u8(0).u8(0);
        t.u16(0x0fff).u16(0x0fff); // C2 and C3 latencies above the limits: neither supported
        t.u16(0).u16(0).u8(0).u8(0); // flush size/stride, duty offset/width
        t.u8(0).u8(0).u8(0x32); // RTC day and month alarm: none; CMOS century register
        t.u16(bootArch).u8(0).u32(flags);
        t.ioGas(8, 1, Layout.RESET_CONTROL_PORT).u8(RESET_VALUE);
        t.u16(0).u8(0); // ARM boot arch, FADT minor version
        t.u64(facs).u64(dsdt);
        t.ioGas(PM1_EVT_LEN * 8, 0, pm + PM1_EVT_OFFSET).ioGas(0, 0, 0);
        t.ioGas(PM1_CNT_LEN * 8, 0, pm + PM1_CNT_OFFSET).ioGas(0, 0, 0);
        t.ioGas(0, 0, 0); // PM2
        t.ioGas(PM_TMR_LEN * 8, 0, pm + PM_TMR_OFFSET);
        t.ioGas(GPE0_LEN * 8, 0, pm + GPE0_OFFSET).ioGas(0, 0, 0);
        t.ioGas(0, 0, 0).ioGas(0, 0, 0); // sleep control/status: not hardware-reduced
        t.ascii("JVMMJVMM", 8); // hypervisor vendor identity
        return t.build();
    }

    /** MADT (5.2.12): every vCPU's local APIC, the IOAPIC, the SCI's override, LINT1 as NMI. */
    static byte[] madt(int cpus) {
        SdtBuilder t = new SdtBuilder("APIC", 5);
        t.u32(Layout.LAPIC).u32(1); // PCAT_COMPAT: the 8259 pair exists (KVM emulates it)
        for (int i = 0; i < cpus; i++) {
            t.u8(0).u8(8).u8(i).u8(i).u32(1); // processor local APIC: uid, APIC id, enabled
        }
        t.u8(1).u8(12).u8(0).u8(0).u32(Layout.IOAPIC).u32(0); // IOAPIC id 0, GSI base 0
        // The SCI is level-triggered, active high, as the ACPI PM device drives it.
        t.u8(2).u8(10).u8(0).u8(Layout.SCI_IRQ).u32(Layout.SCI_IRQ).u16(0x000d);
        t.u8(4).u8(6).u8(0xff).u16(0).u8(1); // local APIC NMI on LINT1 of all processors
        return t.build();
    }

    /**
     * MCFG: one ECAM segment covering the buses in use, not all 256. Linux on x86 takes the
     * segment's last bus as the end of its peer host bridge scan, which reads the vendor ID
     * of every 8th function on each bus it does not know yet through 0xCF8/0xCFC: for 255
     * empty buses that is 16,320 port exits, most of all exits of a boot.
     */
    static byte[] mcfg(int lastBus) {
        SdtBuilder t = new SdtBuilder("MCFG", 1);
        t.zeros(8);
        t.u64(Layout.PCIE_ECAM).u16(0).u8(0).u8(lastBus).u32(0);
        return t.build();
    }

    /**
     * DSDT: the PCIe root bridge with its bus, I/O and memory windows, the ECAM reservation
     * (Linux trusts MCFG only if a motherboard resource covers it), COM1, and \_S5 for power-off.
     */
    static byte[] dsdt(long ram, int lastBus) {
        long mmio64 = Layout.pciMmio64(ram);
        byte[] pciCrs = new ResourceTemplate()
                .busNumbers(0, lastBus)
                .io(0xcf8, 8)
                .ioWindow(0x0000, 0x0cf7)
                .ioWindow(0x0d00, 0xffff)
                .memoryWindow32(0xa0000, 0xbffff)
                .memoryWindow32(Layout.PCI_MMIO32, Layout.PCI_MMIO32_END - 1)
                .memoryWindow64(mmio64, mmio64 + Layout.PCI_MMIO64_SIZE - 1)
                .toAmlBuffer();
        byte[] pci0 = Aml.device("PCI0",
                Aml.name("_HID", Aml.eisaId("PNP0A08")),
                Aml.name("_CID", Aml.eisaId("PNP0A03")),
                Aml.name("_ADR", Aml.integer(0)),
                Aml.name("_SEG", Aml.integer(0)),
                Aml.name("_UID", Aml.integer(0)),
                Aml.name("_BBN", Aml.integer(0)),
                Aml.name("_CRS", pciCrs),
                Aml.device("RES0",
                        Aml.name("_HID", Aml.eisaId("PNP0C02")),
                        Aml.name("_UID", Aml.integer(0)),
                        Aml.name("_CRS", new ResourceTemplate()
                                .memory32Fixed(Layout.PCIE_ECAM, Layout.PCIE_ECAM_SIZE)
                                .io(Layout.ACPI_PM_PORT, 0x40)
                                .toAmlBuffer())));
        byte[] com1 = Aml.device("COM1",
                Aml.name("_HID", Aml.eisaId("PNP0501")),
                Aml.name("_UID", Aml.integer(1)),
                Aml.name("_STA", Aml.integer(0xf)),
                Aml.name("_CRS", new ResourceTemplate().io(Layout.COM1_PORT, 8).irq(Layout.COM1_IRQ).toAmlBuffer()));
        byte[] s5 = Aml.name("\\_S5", Aml.packageOf(Aml.integer(S5_SLP_TYP), Aml.integer(S5_SLP_TYP),
                Aml.integer(0), Aml.integer(0)));
        SdtBuilder t = new SdtBuilder("DSDT", 2);
        t.bytes(Aml.scope("\\_SB", pci0, com1)).bytes(s5);
        return t.build();
    }

    /** Hands out aligned addresses in the table area and assembles the blob. */
    private static final class Placer {
        private final long base;
        private long next;
        private final Map<String, Long> addresses = new LinkedHashMap<>();
        private final List<Object[]> parts = new ArrayList<>();

        Placer(long base) {
            this.base = base;
            this.next = base;
        }

        long reserve(String name, int size, int align) {
            long at = (next + align - 1) & -(long) align;
            next = at + size;
            addresses.put(name, at);
            return at;
        }

        void put(long at, byte[] table) {
            parts.add(new Object[] {at, table});
        }

        long end() {
            return next;
        }

        byte[] bytes() {
            byte[] blob = new byte[(int) (next - base)];
            for (Object[] p : parts) {
                byte[] t = (byte[]) p[1];
                System.arraycopy(t, 0, blob, (int) ((long) p[0] - base), t.length);
            }
            return blob;
        }
    }
}
