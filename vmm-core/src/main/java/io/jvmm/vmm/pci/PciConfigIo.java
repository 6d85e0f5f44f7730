package io.jvmm.vmm.pci;

import io.jvmm.vmm.bus.Bytes;
import io.jvmm.vmm.bus.BusDevice;

/**
 * Configuration mechanism #1: the address register at 0xCF8 and the data window at
 * 0xCFC..0xCFF. Linux checks it is there (it reads back what it wrote to 0xCF8) and uses it
 * until it has parsed the MCFG table.
 */
public final class PciConfigIo implements BusDevice {
    public static final int BASE = 0xcf8, LENGTH = 8;
    private static final int ENABLE = 1 << 31;
    /** Port 0xCF9 sits inside this range; ICH9 decodes byte accesses to it as the reset control register. */
    private static final int RESET_CONTROL_OFFSET = 1;
    private final PciSegment segment;
    private final BusDevice resetControl;
    private int address;

    public PciConfigIo(PciSegment segment, BusDevice resetControl) {
        this.segment = segment;
        this.resetControl = resetControl;
    }

    @Override
    public void read(long offset, byte[] data) {
        if (offset == RESET_CONTROL_OFFSET && data.length == 1) {
            resetControl.read(0, data);
            return;
        }
        int a;
        synchronized (this) {
            if (offset < 4) {
                Bytes.put(data, (long) address >>> (8 * offset));
                return;
            }
            a = address;
        }
        if ((a & ENABLE) == 0) {
            java.util.Arrays.fill(data, (byte) 0xff);
            return;
        }
        segment.read(target(a), registerOffset(a, offset), data);
    }

    @Override
    public void write(long offset, byte[] data) {
        if (offset == RESET_CONTROL_OFFSET && data.length == 1) {
            resetControl.write(0, data);
            return;
        }
        int a;
        synchronized (this) {
            if (offset < 4) {
                // Only whole-dword writes set the address; byte writes to 0xCF8 are other chipset registers.
                if (offset == 0 && data.length == 4) {
                    address = (int) Bytes.get(data);
                }
                return;
            }
            a = address;
        }
        if ((a & ENABLE) != 0) {
            segment.write(target(a), registerOffset(a, offset), data);
        }
    }

    private static PciAddress target(int a) {
        return new PciAddress((a >> 16) & 0xff, (a >> 11) & 0x1f, (a >> 8) & 0x7);
    }

    /** Register number from bits 2..7, the extended register bits 24..27 (AMD's ECS), plus the byte within the window. */
    private static int registerOffset(int a, long windowOffset) {
        return ((a >> 16) & 0xf00) | (a & 0xfc) | (int) (windowOffset - 4);
    }
}
