package io.jvmm.vmm.devices.legacy;

import io.jvmm.vmm.bus.BusDevice;
import io.jvmm.vmm.devices.PowerControl;

/**
 * The PCI reset control register at port 0xCF9 (ICH9 RST_CNT): writing SYS_RST with RST_CPU
 * resets the machine. The FADT names it as the ACPI reset register, Linux's first reboot method.
 */
public final class ResetControl implements BusDevice {
    private static final int RST_CPU = 0x04, SYS_RST = 0x02;
    private final PowerControl power;
    private int value;

    public ResetControl(PowerControl power) {
        this.power = power;
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        data[0] = (byte) value;
    }

    @Override
    public synchronized void write(long offset, byte[] data) {
        int v = data[0] & 0xff;
        if ((v & RST_CPU) != 0) {
            value = 0;
            power.reset();
        } else {
            value = v & SYS_RST;
        }
    }
}
