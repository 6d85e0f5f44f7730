package io.jvmm.vmm.bus;

/**
 * A device on a bus (port I/O or MMIO): accesses arrive with the offset from the start of the
 * range the device was registered at, and the access width is the array length.
 */
public interface BusDevice {
    void read(long offset, byte[] data);

    void write(long offset, byte[] data);
}
