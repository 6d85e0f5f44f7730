package io.jvmm.vmm.devices.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.vmm.arch.x86_64.acpi.AcpiTables;
import io.jvmm.vmm.devices.PowerControl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AcpiPmRegistersTest {
    private final List<String> power = new ArrayList<>();
    private final List<Boolean> sci = new ArrayList<>();
    private long now = 0;
    private final AcpiPmRegisters pm = new AcpiPmRegisters(sci::add, new PowerControl() {
        @Override public void powerOff() { power.add("off"); }
        @Override public void reset() { power.add("reset"); }
    }, () -> now);

    private void write16(int offset, int v) {
        pm.write(offset, new byte[] {(byte) v, (byte) (v >> 8)});
    }

    private int read(int offset, int width) {
        byte[] d = new byte[width];
        pm.read(offset, d);
        long v = 0;
        for (int i = width - 1; i >= 0; i--) {
            v = (v << 8) | (d[i] & 0xff);
        }
        return (int) v;
    }

    @Test
    void slpEnWithS5SlpTypPowersOff() {
        write16(AcpiTables.PM1_CNT_OFFSET, (AcpiTables.S5_SLP_TYP << 10) | (1 << 13));
        assertThat(power).containsExactly("off");
        assertThat(read(AcpiTables.PM1_CNT_OFFSET, 2) & (1 << 13)).as("SLP_EN reads 0").isZero();
        assertThat(read(AcpiTables.PM1_CNT_OFFSET, 2) & 1).as("SCI_EN").isEqualTo(1);
    }

    @Test
    void slpEnWithASleepStateTheMachineLacksDoesNothing() {
        write16(AcpiTables.PM1_CNT_OFFSET, (1 << 10) | (1 << 13)); // S3, which the DSDT does not offer
        assertThat(power).isEmpty();
        write16(AcpiTables.PM1_CNT_OFFSET, (0 << 10) | (1 << 13)); // S5 as OVMF and QEMU's q35 write it
        assertThat(power).containsExactly("off");
    }

    @Test
    void powerButtonRaisesSciOnlyWhenEnabledUntilCleared() {
        pm.pressPowerButton();
        assertThat(sci).isEmpty();
        assertThat(read(AcpiTables.PM1_EVT_OFFSET, 2) & 0x100).isEqualTo(0x100);
        write16(AcpiTables.PM1_EVT_OFFSET + 2, 0x100); // PWRBTN_EN
        assertThat(sci).containsExactly(true);
        write16(AcpiTables.PM1_EVT_OFFSET, 0x100); // write 1 to clear
        assertThat(sci).containsExactly(true, false);
        assertThat(pm.powerButtonEnabled()).isTrue();
    }

    @Test
    void pmTimerCountsAt3579545Hz() {
        now = 1_000_000_000L;
        assertThat(read(AcpiTables.PM_TMR_OFFSET, 4)).isEqualTo(3_579_545);
    }
}
