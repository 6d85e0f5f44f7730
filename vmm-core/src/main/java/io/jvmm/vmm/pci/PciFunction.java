package io.jvmm.vmm.pci;

/** A PCI function's configuration space, as the configuration mechanisms reach it. */
public interface PciFunction {
    /** Reads {@code data.length} (1, 2 or 4) bytes at {@code offset}, which does not cross a dword. */
    void readConfig(int offset, byte[] data);

    void writeConfig(int offset, byte[] data);
}
