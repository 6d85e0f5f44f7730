package io.jvmm.vmm.pci;

import io.jvmm.vmm.bus.BusDevice;
import java.util.Arrays;

/**
 * A type 0 (endpoint) function with memory BARs. A BAR is in the machine's MMIO space exactly
 * while the guest has memory decoding on and the BAR holds a usable address, so the guest may
 * size it, move it, or switch it off as it pleases. {@link #placeBar} plays firmware: it puts the
 * BAR where it does not clash, and Linux keeps what it finds there.
 */
public class PciEndpoint extends PciConfigSpace {
    public static final int BAR0 = 0x10;
    private static final int BAR_MEMORY_64 = 0b100;
    private static final long UNMAPPED = -1;

    private record Bar(long size, boolean is64, BusDevice region) {}

    /** Told whenever a BAR appears in, moves within or leaves the MMIO space ({@code address} -1). */
    public interface BarListener {
        void barMoved(int index, long address);
    }

    private final Bar[] bars = new Bar[6];
    private final long[] mapped = new long[6];
    private BarMapper mapper;
    private BarListener listener = (i, a) -> { };

    public PciEndpoint(int vendor, int device, int classCode, int revision) {
        super(vendor, device, classCode, revision, 0);
        Arrays.fill(mapped, UNMAPPED);
    }

    /** Declares BAR {@code index} as {@code size} bytes (a power of two, 4 KiB or more) of MMIO served by {@code region}. */
    protected final void addMemoryBar(int index, long size, boolean is64, BusDevice region) {
        if (Long.bitCount(size) != 1 || size < 4096 || index < 0 || index + (is64 ? 1 : 0) > 5) {
            throw new IllegalArgumentException("bad BAR " + index + " of size " + size);
        }
        bars[index] = new Bar(size, is64, region);
        long sizeMask = ~(size - 1);
        set(BAR0 + 4 * index, 4, is64 ? BAR_MEMORY_64 : 0);
        mask(BAR0 + 4 * index, 4, sizeMask & 0xffff_fff0L);
        if (is64) {
            mask(BAR0 + 4 * (index + 1), 4, sizeMask >>> 32);
        }
    }

    public final long barSize(int index) {
        return bars[index].size;
    }

    /** Firmware's part: programs BAR {@code index} with {@code address} before the guest runs. */
    public final synchronized void placeBar(int index, long address) {
        set(BAR0 + 4 * index, 4, (address & 0xffff_fff0L) | (bars[index].is64 ? BAR_MEMORY_64 : 0));
        if (bars[index].is64) {
            set(BAR0 + 4 * (index + 1), 4, address >>> 32);
        }
    }

    public final synchronized void attach(BarMapper mapper, BarListener listener) {
        this.mapper = mapper;
        this.listener = listener;
        remap();
    }

    @Override
    protected void configWritten(int offset, int length) {
        if (touches(offset, length, COMMAND, 2) || touches(offset, length, BAR0, 24)) {
            remap();
        }
    }

    private void remap() {
        if (mapper == null) {
            return;
        }
        boolean decoding = (get(COMMAND, 2) & COMMAND_MEMORY) != 0;
        for (int i = 0; i < bars.length; i++) {
            Bar bar = bars[i];
            if (bar == null) {
                continue;
            }
            long address = get(BAR0 + 4 * i, 4) & 0xffff_fff0L;
            if (bar.is64) {
                address |= get(BAR0 + 4 * (i + 1), 4) << 32;
            }
            long limit = bar.is64 ? 1L << 46 : 1L << 32;
            long wanted = decoding && address != 0 && address + bar.size <= limit ? address : UNMAPPED;
            if (wanted == mapped[i]) {
                continue;
            }
            if (mapped[i] != UNMAPPED) {
                mapper.unmap(mapped[i], bar.region);
            }
            mapped[i] = wanted != UNMAPPED && mapper.map(wanted, bar.size, bar.region) ? wanted : UNMAPPED;
            listener.barMoved(i, mapped[i]);
        }
    }

    /** Where BAR {@code index} is mapped now, or -1. */
    public final synchronized long barAddress(int index) {
        return mapped[index];
    }
}
