package io.jvmm.vmm.pci;

/** A bus/device/function triple. */
public record PciAddress(int bus, int device, int function) {
    public PciAddress {
        if (bus < 0 || bus > 255 || device < 0 || device > 31 || function < 0 || function > 7) {
            throw new IllegalArgumentException("bad PCI address " + bus + ":" + device + "." + function);
        }
    }

    // Written out, not generated: a record's generated equals and hashCode link method handles at
    // their first call, a noticeable cost on the way to the guest's first instruction (the
    // segment's map is keyed by address), and a slower call in every configuration access after.
    @Override
    public boolean equals(Object other) {
        return other instanceof PciAddress a && a.bus == bus && a.device == device && a.function == function;
    }

    @Override
    public int hashCode() {
        return bus << 8 | device << 3 | function;
    }

    @Override
    public String toString() {
        return String.format("%02x:%02x.%x", bus, device, function);
    }
}
