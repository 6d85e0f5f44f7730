package io.jvmm.vmm.pci;

import io.jvmm.vmm.bus.BusDevice;

/**
 * PCIe enhanced configuration access (ECAM/MMCONFIG): each function's 4 KiB space at
 * base + (bus << 20 | device << 15 | function << 12), as the MCFG table announces.
 */
public final class PciEcam implements BusDevice {
    private final PciSegment segment;

    public PciEcam(PciSegment segment) {
        this.segment = segment;
    }

    @Override
    public void read(long offset, byte[] data) {
        segment.read(target(offset), (int) (offset & 0xfff), data);
    }

    @Override
    public void write(long offset, byte[] data) {
        segment.write(target(offset), (int) (offset & 0xfff), data);
    }

    private static PciAddress target(long offset) {
        return new PciAddress((int) (offset >> 20) & 0xff, (int) (offset >> 15) & 0x1f, (int) (offset >> 12) & 0x7);
    }
}
