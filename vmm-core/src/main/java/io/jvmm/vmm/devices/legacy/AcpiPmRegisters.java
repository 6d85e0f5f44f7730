package io.jvmm.vmm.devices.legacy;

import io.jvmm.vmm.arch.x86_64.acpi.AcpiTables;
import io.jvmm.vmm.bus.Bytes;
import io.jvmm.vmm.bus.BusDevice;
import io.jvmm.vmm.devices.InterruptLine;
import io.jvmm.vmm.devices.PowerControl;
import java.util.function.LongSupplier;

/**
 * The ACPI fixed-hardware registers (ACPI 6.5 section 4.8) at the FADT's PM block: PM1 status
 * and enable, PM1 control (SLP_EN with \_S5's SLP_TYP powers off), the 24/32-bit PM timer at
 * 3.579545 MHz, and an idle GPE0 block. The power button sets PWRBTN_STS and raises the SCI,
 * a level interrupt held while any enabled status bit is set.
 */
public final class AcpiPmRegisters implements BusDevice {
    public static final int LENGTH = 0x40;
    private static final int PM1_STS = AcpiTables.PM1_EVT_OFFSET, PM1_EN = PM1_STS + 2, PM1_CNT = AcpiTables.PM1_CNT_OFFSET,
            PM_TMR = AcpiTables.PM_TMR_OFFSET, GPE0 = AcpiTables.GPE0_OFFSET;
    private static final int TMR_STS = 1 << 0, PWRBTN_STS = 1 << 8;
    private static final int SCI_EN = 1 << 0, SLP_EN = 1 << 13, SLP_TYP_SHIFT = 10, SLP_TYP_MASK = 7 << SLP_TYP_SHIFT;
    private static final long PM_TIMER_HZ = 3_579_545L;

    private final InterruptLine sci;
    private final PowerControl power;
    private final LongSupplier nanoTime;
    private final long start;
    private final byte[] gpe0 = new byte[AcpiTables.GPE0_LEN];
    private int pm1Status, pm1Enable;
    private int pm1Control = SCI_EN; // no SMI_CMD: the machine is always in ACPI mode
    private boolean sciLevel;

    public AcpiPmRegisters(InterruptLine sci, PowerControl power, LongSupplier nanoTime) {
        this.sci = sci;
        this.power = power;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
    }

    /** The power button was pressed (QMP system_powerdown). */
    public synchronized void pressPowerButton() {
        pm1Status |= PWRBTN_STS;
        updateSci();
    }

    /** True when the guest has enabled the power button event: it has a driver that will act on it. */
    public synchronized boolean powerButtonEnabled() {
        return (pm1Enable & PWRBTN_STS) != 0;
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        long value = 0;
        for (int i = 0; i < data.length; i++) {
            value |= (long) readByte((int) offset + i) << (8 * i);
        }
        Bytes.put(data, value);
    }

    private int readByte(int o) {
        if (o >= PM_TMR && o < PM_TMR + 4) {
            long ticks = (nanoTime.getAsLong() - start) / 1000 * PM_TIMER_HZ / 1_000_000;
            return (int) (ticks >>> (8 * (o - PM_TMR))) & 0xff;
        }
        if (o >= GPE0 && o < GPE0 + gpe0.length) {
            return gpe0[o - GPE0] & 0xff;
        }
        return switch (o) {
            case PM1_STS -> pm1Status & 0xff;
            case PM1_STS + 1 -> pm1Status >> 8;
            case PM1_EN -> pm1Enable & 0xff;
            case PM1_EN + 1 -> pm1Enable >> 8;
            case PM1_CNT -> pm1Control & 0xff;
            case PM1_CNT + 1 -> pm1Control >> 8;
            default -> 0;
        };
    }

    @Override
    public synchronized void write(long offset, byte[] data) {
        int o = (int) offset;
        long v = Bytes.get(data);
        for (int i = 0; i < data.length; i++, o++) {
            writeByte(o, (int) (v >>> (8 * i)) & 0xff);
        }
        updateSci();
        if ((pm1Control & SLP_EN) != 0) {
            int slpTyp = (pm1Control & SLP_TYP_MASK) >> SLP_TYP_SHIFT;
            pm1Control &= ~SLP_EN; // SLP_EN is write-only: it always reads as 0
            if (slpTyp == AcpiTables.S5_SLP_TYP) {
                power.powerOff();
            }
        }
    }

    private void writeByte(int o, int b) {
        if (o >= GPE0 && o < GPE0 + gpe0.length) {
            int i = o - GPE0;
            // The first half holds status bits (write 1 to clear), the second enable bits.
            gpe0[i] = (byte) (i < gpe0.length / 2 ? gpe0[i] & ~b : b);
            return;
        }
        switch (o) {
            case PM1_STS -> pm1Status &= ~b; // write 1 to clear
            case PM1_STS + 1 -> pm1Status &= ~(b << 8);
            case PM1_EN -> pm1Enable = (pm1Enable & 0xff00) | b;
            case PM1_EN + 1 -> pm1Enable = (pm1Enable & 0x00ff) | (b << 8);
            case PM1_CNT -> pm1Control = (pm1Control & 0xff00) | b | SCI_EN;
            case PM1_CNT + 1 -> pm1Control = (pm1Control & 0x00ff) | (b << 8);
            default -> { }
        }
    }

    private void updateSci() {
        boolean level = (pm1Status & pm1Enable & (PWRBTN_STS | TMR_STS)) != 0;
        if (level != sciLevel) {
            sciLevel = level;
            sci.set(level);
        }
    }
}
