package io.jvmm.vmm.virtio;

import io.jvmm.vmm.kvm.AnonymousMemory;
import io.jvmm.vmm.kvm.LibC;
import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.memory.GuestRegion;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * Guest RAM for property tests: two regions with a hole between them (as below and above the
 * 32-bit hole of a real machine), each in host memory fenced by guard pages of a known pattern.
 * A device that writes, or discards (madvise), host memory outside guest RAM changes a guard
 * byte, which {@link #guardsIntact} then reports. Page-aligned, as real guest RAM is, so that
 * the balloon's discards really reach the host.
 */
public final class GuardedRam implements AutoCloseable {
    public static final long LOW_SIZE = 256 << 10, HOLE = 64 << 10, HIGH_START = LOW_SIZE + HOLE, HIGH_SIZE = 64 << 10;
    private static final long GUARD = 4096;
    private static final byte PATTERN = (byte) 0xa5;
    private final AnonymousMemory host = AnonymousMemory.map(GUARD + LOW_SIZE + GUARD + HIGH_SIZE + GUARD);
    private final long[] guards = {0, GUARD + LOW_SIZE, GUARD + LOW_SIZE + GUARD + HIGH_SIZE};
    public final GuestMemory memory = new GuestMemory(List.of(
            new GuestRegion(0, LOW_SIZE, Pointer.wrap(LibC.RUNTIME, host.address() + GUARD, LOW_SIZE)),
            new GuestRegion(HIGH_START, HIGH_SIZE, Pointer.wrap(LibC.RUNTIME, host.address() + 2 * GUARD + LOW_SIZE, HIGH_SIZE))));

    public GuardedRam() {
        clear();
    }

    /** Zeroes guest RAM and rewrites the guards, for the next try. */
    public void clear() {
        Pointer all = host.pointer();
        all.setMemory(GUARD, LOW_SIZE, (byte) 0);
        all.setMemory(2 * GUARD + LOW_SIZE, HIGH_SIZE, (byte) 0);
        for (long g : guards) {
            all.setMemory(g, GUARD, PATTERN);
        }
    }

    public boolean guardsIntact() {
        byte[] page = new byte[(int) GUARD];
        for (long g : guards) {
            host.pointer().get(g, page, 0, page.length);
            for (byte b : page) {
                if (b != PATTERN) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void close() {
        host.close();
    }
}
