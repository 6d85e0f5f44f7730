package io.jvmm.vmm.pci;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * PCI segment 0: the functions on its buses, reached by either configuration mechanism. An
 * address with no function reads all ones, which is how guests find empty slots. Bridges of
 * root ports sit on bus 0; what is plugged into them is reached through the secondary bus
 * number each holds, as on real hardware, so a guest that renumbers buses still finds it.
 */
public final class PciSegment {
    private final Map<PciAddress, PciFunction> functions = new ConcurrentHashMap<>();
    private final List<PciRootPort> rootPorts = new CopyOnWriteArrayList<>();

    /** Adds {@code function} on bus 0. */
    public void add(PciAddress address, PciFunction function) {
        if (address.bus() != 0) {
            throw new IllegalArgumentException("only bus 0 is populated directly; plug " + address + " into a root port");
        }
        if (functions.putIfAbsent(address, function) != null) {
            throw new IllegalArgumentException("PCI address " + address + " is taken");
        }
        if (function instanceof PciRootPort port) {
            rootPorts.add(port);
        }
    }

    /** The highest bus number the root ports were placed on: 0 when there are none. */
    public int lastBus() {
        int last = 0;
        for (PciRootPort port : rootPorts) {
            last = Math.max(last, port.secondaryBus());
        }
        return last;
    }

    private PciFunction find(PciAddress address) {
        if (address.bus() == 0) {
            return functions.get(address);
        }
        for (PciRootPort port : rootPorts) {
            if (port.secondaryBus() == address.bus()) {
                return port.child(address.device(), address.function());
            }
        }
        return null;
    }

    /** {@code offset} within the function's 4 KiB space; the access may not cross a dword. */
    public void read(PciAddress address, int offset, byte[] data) {
        PciFunction f = find(address);
        if (f == null || !fitsDword(offset, data.length)) {
            Arrays.fill(data, (byte) 0xff);
            return;
        }
        f.readConfig(offset, data);
    }

    public void write(PciAddress address, int offset, byte[] data) {
        PciFunction f = find(address);
        if (f != null && fitsDword(offset, data.length)) {
            f.writeConfig(offset, data);
        }
    }

    private static boolean fitsDword(int offset, int length) {
        return offset >= 0 && offset + length <= PciConfigSpace.SIZE && (offset & 3) + length <= 4;
    }
}
