package io.jvmm.vmm.pci;

/**
 * Device 00:00.0, the host bridge, with the identity of the Q35 MCH (8086:29C0) that guests
 * and QEMU users expect to see on a q35 machine. Linux needs nothing of it beyond its presence.
 */
public final class PciHostBridge extends PciConfigSpace {
    private static final int INTEL = 0x8086, Q35_MCH = 0x29c0, CLASS_HOST_BRIDGE = 0x060000;
    /** Red Hat's subsystem ids, as QEMU's q35 reports them. */
    private static final int SUBSYSTEM_VENDOR_REDHAT = 0x1af4, SUBSYSTEM_QEMU = 0x1100;

    public PciHostBridge() {
        super(INTEL, Q35_MCH, CLASS_HOST_BRIDGE, 0, 0);
        set(SUBSYSTEM_VENDOR, 2, SUBSYSTEM_VENDOR_REDHAT);
        set(SUBSYSTEM_ID, 2, SUBSYSTEM_QEMU);
    }
}
