package io.jvmm.vmm.arch.x86_64.acpi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tables for UEFI firmware, linked by their loader script the way OVMF's AcpiPlatformDxe runs
 * it (QemuFwCfgAcpi.c): allocate, add the pointee's address to each pointer field (which must
 * hold an offset inside the pointee), set each checksum from a zero byte. What comes out must be
 * the machine's tables, at the addresses the firmware chose, every checksum right.
 */
class AcpiTablesForFirmwareTest {
    private static final long HIGH = 0x7ff0_0000L, FSEG = 0xf_0000L;

    /** Guest memory after the loader ran: each file at its address. */
    private final Map<String, byte[]> files = new HashMap<>();
    private final Map<String, Long> addresses = new HashMap<>();
    private final List<String> commands = new ArrayList<>();

    private void runLoader(AcpiTables.ForFirmware firmware) {
        Map<String, byte[]> sources = Map.of(AcpiTables.TABLES_FILE, firmware.tables(), AcpiTables.RSDP_FILE,
            firmware.rsdp());
        ByteBuffer script = ByteBuffer.wrap(firmware.loader()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(firmware.loader().length % 128).isZero();
        long high = HIGH;
        for (int at = 0; at < firmware.loader().length; at += 128) {
            script.position(at);
            int command = script.getInt();
            String first = name(script);
            switch (command) {
                case 1 -> {
                    int align = script.getInt();
                    int zone = script.get();
                    long address = zone == 2 ? FSEG : (high + align - 1) & -(long) align;
                    if (zone == 1) {
                        high = address + sources.get(first).length;
                    }
                    assertThat(address % align).isZero();
                    files.put(first, sources.get(first).clone());
                    addresses.put(first, address);
                    commands.add("allocate " + first);
                }
                case 2 -> {
                    String source = name(script);
                    int offset = script.getInt();
                    int size = script.get();
                    ByteBuffer field = ByteBuffer.wrap(files.get(first), offset, size).order(ByteOrder.LITTLE_ENDIAN);
                    long value = size == 4 ? field.getInt(offset) & 0xffffffffL : field.getLong(offset);
                    assertThat(value).as("pointer at %s+%d holds an offset inside %s", first, offset, source)
                        .isLessThan(files.get(source).length);
                    value += addresses.get(source);
                    if (size == 4) {
                        field.putInt(offset, (int) value);
                    } else {
                        field.putLong(offset, value);
                    }
                    commands.add("pointer " + first + "+" + offset);
                }
                case 3 -> {
                    int result = script.getInt();
                    int start = script.getInt();
                    int length = script.getInt();
                    byte[] f = files.get(first);
                    assertThat(f[result]).as("checksum byte of %s+%d before the loader", first, result).isZero();
                    f[result] = (byte) -sum(f, start, length);
                    commands.add("checksum " + first + "+" + start);
                }
                default -> throw new AssertionError("unknown loader command " + command);
            }
        }
    }

    private static String name(ByteBuffer script) {
        byte[] name = new byte[56];
        script.get(name);
        return new String(name, StandardCharsets.US_ASCII).replace("\0", "");
    }

    private static int sum(byte[] b, int start, int length) {
        int s = 0;
        for (int i = start; i < start + length; i++) {
            s += b[i];
        }
        return s & 0xff;
    }

    /** The table at a guest address the loader produced, checked: its signature and a zero sum. */
    private ByteBuffer table(long address, String signature) {
        byte[] tables = files.get(AcpiTables.TABLES_FILE);
        int at = (int) (address - addresses.get(AcpiTables.TABLES_FILE));
        assertThat(at).as("%s inside the tables", signature).isBetween(0, tables.length - 36);
        ByteBuffer t = ByteBuffer.wrap(tables, at, tables.length - at).slice().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(tables, at, 4, StandardCharsets.US_ASCII)).isEqualTo(signature);
        if (!signature.equals("FACS")) {
            assertThat(sum(tables, at, t.getInt(4))).as("%s checksum", signature).isZero();
        }
        return t;
    }

    @Test
    void theLoaderPlacesLinksAndChecksumsEveryTable() {
        runLoader(AcpiTables.forFirmware(4, 1L << 30, 3));

        byte[] rsdp = files.get(AcpiTables.RSDP_FILE);
        assertThat(new String(rsdp, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("RSD PTR ");
        assertThat(sum(rsdp, 0, 20)).isZero();
        assertThat(sum(rsdp, 0, 36)).isZero();
        assertThat(addresses.get(AcpiTables.RSDP_FILE)).isBetween(0xe0000L, 0xfffffL);

        ByteBuffer xsdt = table(ByteBuffer.wrap(rsdp).order(ByteOrder.LITTLE_ENDIAN).getLong(24), "XSDT");
        ByteBuffer fadt = table(xsdt.getLong(36), "FACP");
        table(xsdt.getLong(44), "APIC");
        table(xsdt.getLong(52), "MCFG");
        assertThat((long) fadt.getInt(40)).isEqualTo(fadt.getLong(140));
        table(fadt.getLong(140), "DSDT");
        assertThat((long) fadt.getInt(36)).isEqualTo(fadt.getLong(132));
        assertThat(fadt.getLong(132) % 64).as("FACS 64-byte aligned").isZero();
        table(fadt.getLong(132), "FACS");
    }

    @Test
    void theTablesAreTheMachinesOwnAndEveryChecksumFollowsThePointersInItsRange() {
        AcpiTables.ForFirmware firmware = AcpiTables.forFirmware(2, 512L << 20, 0);
        runLoader(firmware);
        // A table without pointers is the one direct kernel boot gets, byte for byte.
        AcpiTables legacy = AcpiTables.build(2, 512L << 20, 0);
        ByteBuffer xsdt = table(ByteBuffer.wrap(files.get(AcpiTables.RSDP_FILE)).order(ByteOrder.LITTLE_ENDIAN)
            .getLong(24), "XSDT");
        ByteBuffer madt = table(xsdt.getLong(44), "APIC");
        byte[] madtBytes = new byte[madt.getInt(4)];
        madt.get(0, madtBytes);
        byte[] legacyMadt = java.util.Arrays.copyOfRange(legacy.bytes(), (int) (legacy.address("APIC") - legacy.base()),
            (int) (legacy.address("APIC") - legacy.base()) + madtBytes.length);
        assertThat(madtBytes).isEqualTo(legacyMadt);

        assertThat(commands.subList(0, 2)).containsExactly("allocate " + AcpiTables.RSDP_FILE,
            "allocate " + AcpiTables.TABLES_FILE);
        int lastPointer = 0;
        int firstChecksum = commands.size();
        for (int i = 0; i < commands.size(); i++) {
            if (commands.get(i).startsWith("pointer")) {
                lastPointer = i;
            } else if (commands.get(i).startsWith("checksum")) {
                firstChecksum = Math.min(firstChecksum, i);
            }
        }
        assertThat(firstChecksum).isGreaterThan(lastPointer);
    }
}
