package io.jvmm.vmm.pci;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * PCI segment 0: the functions on its buses, reached by either configuration mechanism. An
 * address with no function reads all ones, which is how guests find empty slots. Bridges of
 * the devices issue register here with the addresses behind them.
 */
public final class PciSegment {
    private final Map<PciAddress, PciFunction> functions = new ConcurrentHashMap<>();

    public void add(PciAddress address, PciFunction function) {
        if (functions.putIfAbsent(address, function) != null) {
            throw new IllegalArgumentException("PCI address " + address + " is taken");
        }
    }

    /** {@code offset} within the function's 4 KiB space; the access may not cross a dword. */
    public void read(PciAddress address, int offset, byte[] data) {
        PciFunction f = functions.get(address);
        if (f == null || !fitsDword(offset, data.length)) {
            Arrays.fill(data, (byte) 0xff);
            return;
        }
        f.readConfig(offset, data);
    }

    public void write(PciAddress address, int offset, byte[] data) {
        PciFunction f = functions.get(address);
        if (f != null && fitsDword(offset, data.length)) {
            f.writeConfig(offset, data);
        }
    }

    private static boolean fitsDword(int offset, int length) {
        return offset >= 0 && offset + length <= PciConfigSpace.SIZE && (offset & 3) + length <= 4;
    }
}
