package io.jvmm.vmm.pci;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A PCIe root port (QEMU's generic pcie-root-port, 1b36:000c): a PCI-to-PCI bridge with a type 1
 * header and a PCIe capability, whose secondary bus holds the one device plugged into it.
 * Configuration cycles reach that device through the bus number the guest (or jvmm, playing
 * firmware) wrote into the bridge. Only a memory window is implemented: I/O and prefetchable
 * window registers read as zero, which tells the guest the bridge has none.
 */
public final class PciRootPort extends PciConfigSpace {
    private static final int REDHAT = 0x1b36, ROOT_PORT = 0x000c, CLASS_PCI_BRIDGE = 0x060400, HEADER_TYPE_BRIDGE = 1;
    public static final int PRIMARY_BUS = 0x18, SECONDARY_BUS = 0x19, SUBORDINATE_BUS = 0x1a,
            MEMORY_BASE = 0x20, MEMORY_LIMIT = 0x22, BRIDGE_CONTROL = 0x3e;
    private static final int PCIE_CAPABILITY = 0x10, PCIE_CAP_LENGTH = 0x3c;
    private static final int PCIE_V2 = 2, TYPE_ROOT_PORT = 4 << 4, SLOT_IMPLEMENTED = 1 << 8;
    private static final int LINK_SPEED_2_5GT = 1, LINK_WIDTH_X1 = 1 << 4, DLL_ACTIVE_REPORTING = 1 << 20;
    private static final int LINK_ACTIVE = 1 << 13, PRESENCE_DETECTED = 1 << 6;

    private final String id;
    private final Map<Integer, PciFunction> children = new ConcurrentHashMap<>();

    public PciRootPort(String id, int port, int slot) {
        super(REDHAT, ROOT_PORT, CLASS_PCI_BRIDGE, 0, HEADER_TYPE_BRIDGE);
        this.id = id;
        mask(PRIMARY_BUS, 4, 0x00ff_ffff); // primary, secondary, subordinate; latency stays 0
        mask(MEMORY_BASE, 2, 0xfff0);
        mask(MEMORY_LIMIT, 2, 0xfff0);
        mask(BRIDGE_CONTROL, 2, 0x0fff);
        set(MEMORY_BASE, 2, 0xfff0); // window closed (base above limit) until placed
        int cap = addCapability(PCIE_CAPABILITY, PCIE_CAP_LENGTH);
        set(cap + 2, 2, PCIE_V2 | TYPE_ROOT_PORT | SLOT_IMPLEMENTED);
        mask(cap + 8, 2, 0xffff); // device control
        set(cap + 0x0c, 4, LINK_SPEED_2_5GT | LINK_WIDTH_X1 | DLL_ACTIVE_REPORTING | ((port & 0xff) << 24));
        mask(cap + 0x10, 2, 0xffff); // link control
        set(cap + 0x12, 2, LINK_SPEED_2_5GT | LINK_WIDTH_X1 | LINK_ACTIVE);
        set(cap + 0x14, 4, (long) (slot & 0x1fff) << 19); // physical slot number, no hot-plug
        mask(cap + 0x18, 2, 0xffff); // slot control
        set(cap + 0x1a, 2, PRESENCE_DETECTED);
        mask(cap + 0x1c, 2, 0x001f); // root control
        mask(cap + 0x28, 2, 0xffff); // device control 2
    }

    public String id() {
        return id;
    }

    /** Plugs {@code device} into the port: it becomes function {@code function} of device 0 on the secondary bus. */
    public void plug(int function, PciFunction device) {
        if (children.putIfAbsent(function, device) != null) {
            throw new IllegalArgumentException("root port " + id + " already has a device at function " + function);
        }
    }

    /** Firmware's part: bus numbers and the memory window [base, base + size). */
    public void place(int primary, int secondary, long windowBase, long windowSize) {
        set(PRIMARY_BUS, 1, primary);
        set(SECONDARY_BUS, 1, secondary);
        set(SUBORDINATE_BUS, 1, secondary);
        set(MEMORY_BASE, 2, (windowBase >>> 16) & 0xfff0);
        set(MEMORY_LIMIT, 2, ((windowBase + windowSize - 1) >>> 16) & 0xfff0);
    }

    int secondaryBus() {
        return (int) get(SECONDARY_BUS, 1);
    }

    /** The function at {@code device.function} on the secondary bus; a PCIe link has device 0 only. */
    PciFunction child(int device, int function) {
        return device == 0 ? children.get(function) : null;
    }
}
