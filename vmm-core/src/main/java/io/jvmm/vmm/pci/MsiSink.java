package io.jvmm.vmm.pci;

/** Where a device's MSI messages go: the machine's interrupt controllers. */
public interface MsiSink {
    void signal(long address, int data);
}
