package io.jvmm.vmm.pci;

import io.jvmm.vmm.bus.BusDevice;

/** Puts a device's BAR into the machine's MMIO space where the guest programmed it, or takes it out. */
public interface BarMapper {
    /** Returns false when the range is taken by something else; the BAR then stays unmapped. */
    boolean map(long address, long size, BusDevice region);

    void unmap(long address, BusDevice region);
}
