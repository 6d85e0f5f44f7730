package io.jvmm.vmm.pci;

/** A bus/device/function triple. */
public record PciAddress(int bus, int device, int function) {
    public PciAddress {
        if (bus < 0 || bus > 255 || device < 0 || device > 31 || function < 0 || function > 7) {
            throw new IllegalArgumentException("bad PCI address " + bus + ":" + device + "." + function);
        }
    }

    @Override
    public String toString() {
        return String.format("%02x:%02x.%x", bus, device, function);
    }
}
