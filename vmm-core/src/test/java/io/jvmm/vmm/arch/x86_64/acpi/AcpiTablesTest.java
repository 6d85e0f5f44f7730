package io.jvmm.vmm.arch.x86_64.acpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.vmm.arch.x86_64.Layout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AcpiTablesTest {
    private final AcpiTables tables = AcpiTables.build(4, 2L << 30, 2);
    private final ByteBuffer blob = ByteBuffer.wrap(tables.bytes()).order(ByteOrder.LITTLE_ENDIAN);

    private int at(String signature) {
        return (int) (tables.address(signature) - tables.base());
    }

    private static int sum(ByteBuffer b, int from, int length) {
        int s = 0;
        for (int i = 0; i < length; i++) {
            s += b.get(from + i);
        }
        return s & 0xff;
    }

    private String signature(int offset) {
        byte[] s = new byte[4];
        blob.get(offset, s);
        return new String(s, StandardCharsets.US_ASCII);
    }

    @Test
    void rsdpIsFirstWithBothChecksumsAndPointsAtTheXsdt() {
        assertThat(tables.rsdpAddress()).isEqualTo(Layout.ACPI_TABLES);
        assertThat(new String(tables.bytes(), 0, 8, StandardCharsets.US_ASCII)).isEqualTo("RSD PTR ");
        assertThat(sum(blob, 0, 20)).isZero();
        assertThat(sum(blob, 0, 36)).isZero();
        assertThat(blob.getLong(24)).isEqualTo(tables.address("XSDT"));
    }

    @Test
    void everyTableChecksumsToZeroAndHasItsLength() {
        for (String sig : new String[] {"XSDT", "FACP", "DSDT", "APIC", "MCFG"}) {
            int o = at(sig);
            assertThat(signature(o)).isEqualTo(sig);
            int length = blob.getInt(o + 4);
            assertThat(sum(blob, o, length)).as(sig).isZero();
        }
        assertThat(blob.getInt(at("FACP") + 4)).isEqualTo(276);
    }

    @Test
    void xsdtListsFadtMadtMcfg() {
        int o = at("XSDT");
        assertThat(blob.getLong(o + 36)).isEqualTo(tables.address("FACP"));
        assertThat(blob.getLong(o + 44)).isEqualTo(tables.address("APIC"));
        assertThat(blob.getLong(o + 52)).isEqualTo(tables.address("MCFG"));
    }

    @Test
    void fadtNamesDsdtFacsPmBlocksAndSci() {
        int o = at("FACP");
        assertThat(blob.getInt(o + 36)).isEqualTo((int) tables.address("FACS"));
        assertThat(blob.getInt(o + 40)).isEqualTo((int) tables.address("DSDT"));
        assertThat(blob.getShort(o + 46)).isEqualTo((short) Layout.SCI_IRQ);
        assertThat(blob.getInt(o + 56)).isEqualTo(Layout.ACPI_PM_PORT);
        assertThat(blob.getInt(o + 64)).isEqualTo(Layout.ACPI_PM_PORT + AcpiTables.PM1_CNT_OFFSET);
        assertThat(blob.getInt(o + 76)).isEqualTo(Layout.ACPI_PM_PORT + AcpiTables.PM_TMR_OFFSET);
        assertThat(blob.getLong(o + 140)).isEqualTo(tables.address("DSDT"));
        assertThat(blob.getInt(o + 112) & (1 << 4)).as("fixed power button").isZero();
    }

    @Test
    void madtListsEveryCpu() {
        int o = at("APIC");
        int length = blob.getInt(o + 4);
        int cpus = 0;
        for (int e = o + 44; e < o + length; e += blob.get(e + 1)) {
            if (blob.get(e) == 0) {
                assertThat(blob.get(e + 3)).isEqualTo((byte) cpus); // APIC id
                cpus++;
            }
        }
        assertThat(cpus).isEqualTo(4);
    }

    @Test
    void dsdtHasPciRootComPortAndS5() {
        int o = at("DSDT");
        String aml = new String(tables.bytes(), o, blob.getInt(o + 4), StandardCharsets.ISO_8859_1);
        assertThat(aml).contains("PCI0", "COM1", "_S5_", "_CRS", "RES0");
    }

    @Test
    void mcfgCoversTheBusesInUseAtTheEcamBase() {
        int o = at("MCFG");
        assertThat(blob.getLong(o + 44)).isEqualTo(Layout.PCIE_ECAM);
        assertThat(blob.get(o + 54) & 0xff).isZero();
        assertThat(blob.get(o + 55) & 0xff).isEqualTo(2);
    }

    @Test
    void aBusNumberOutsideThePciRangeIsRefused() {
        assertThatThrownBy(() -> AcpiTables.build(1, 256L << 20, 256)).hasMessageContaining("last PCI bus 256");
        assertThatThrownBy(() -> AcpiTables.build(1, 256L << 20, -1)).hasMessageContaining("last PCI bus -1");
    }

    @Test
    void amlEncodings() {
        assertThat(Aml.pkgLength(10)).containsExactly(11);
        assertThat(Aml.pkgLength(62)).containsExactly(63);
        // 63 bytes of body + 2 bytes of PkgLength = 65 = 0x41: lead byte 0x41, then 0x04.
        assertThat(Aml.pkgLength(63)).containsExactly(0x41, 0x04);
        assertThat(Aml.eisaId("PNP0A03")).containsExactly(0x0c, 0x41, 0xd0, 0x0a, 0x03);
        assertThat(Aml.nameString("\\_SB.PCI0")).containsExactly('\\', 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0');
        assertThat(Aml.integer(0x1234)).containsExactly(0x0b, 0x34, 0x12);
    }
}
