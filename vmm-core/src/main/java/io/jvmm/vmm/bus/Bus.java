package io.jvmm.vmm.bus;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * An address space of devices: the port I/O space or the MMIO space. Every vCPU thread looks
 * ranges up at once, without locks; the rare changes (a guest moving a PCI BAR) copy the map.
 * Reads nobody answers float high, as on a PC whose bus has no device there.
 */
public final class Bus {
    private record Range(long base, long length, BusDevice device) {}

    private final String name;
    private volatile TreeMap<Long, Range> ranges = new TreeMap<>();

    public Bus(String name) {
        this.name = name;
    }

    public synchronized void register(long base, long length, BusDevice device) {
        if (length <= 0) {
            throw new IllegalArgumentException("empty " + name + " range at 0x" + Long.toHexString(base));
        }
        Map.Entry<Long, Range> below = ranges.floorEntry(base + length - 1);
        if (below != null && below.getValue().base + below.getValue().length > base) {
            throw new IllegalArgumentException(String.format("%s range 0x%x+0x%x overlaps 0x%x+0x%x",
                    name, base, length, below.getValue().base, below.getValue().length));
        }
        TreeMap<Long, Range> copy = new TreeMap<>(ranges);
        copy.put(base, new Range(base, length, device));
        ranges = copy;
    }

    /** Removes the range registered at {@code base} for {@code device}, if it is still there. */
    public synchronized void unregister(long base, BusDevice device) {
        Range r = ranges.get(base);
        if (r != null && r.device == device) {
            TreeMap<Long, Range> copy = new TreeMap<>(ranges);
            copy.remove(base);
            ranges = copy;
        }
    }

    /** True when no registered range overlaps [base, base + length). */
    public boolean isFree(long base, long length) {
        Map.Entry<Long, Range> below = ranges.floorEntry(base + length - 1);
        return below == null || below.getValue().base + below.getValue().length <= base;
    }

    private Range find(long address, int width) {
        Map.Entry<Long, Range> e = ranges.floorEntry(address);
        if (e == null) {
            return null;
        }
        Range r = e.getValue();
        return address - r.base <= r.length - width ? r : null;
    }

    /** Returns false (and all-ones data) when no device claims the access. */
    public boolean read(long address, byte[] data) {
        Range r = find(address, data.length);
        if (r == null) {
            Arrays.fill(data, (byte) 0xff);
            return false;
        }
        r.device.read(address - r.base, data);
        return true;
    }

    /** Returns false when no device claims the access; the write is dropped. */
    public boolean write(long address, byte[] data) {
        Range r = find(address, data.length);
        if (r == null) {
            return false;
        }
        r.device.write(address - r.base, data);
        return true;
    }
}
