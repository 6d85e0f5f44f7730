package io.jvmm.vmm.virtio;

import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.memory.GuestRegion;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Runtime;

/** 1 MiB of guest RAM at guest address 0, in native memory, for device tests without KVM. */
public final class TestRam {
    public static final long SIZE = 1 << 20;

    private TestRam() {}

    public static GuestMemory create() {
        return new GuestMemory(List.of(new GuestRegion(0, SIZE, Memory.allocateDirect(Runtime.getSystemRuntime(), (int) SIZE, true))));
    }

    /** Writes split-ring descriptor {@code index} of the table at {@code table}. */
    public static void descriptor(GuestMemory m, long table, int index, long address, int length, int flags, int next) {
        long d = table + 16L * index;
        m.writeLong(d, address);
        m.writeInt(d + 8, length);
        m.writeShort(d + 12, (short) flags);
        m.writeShort(d + 14, (short) next);
    }

    /** Makes chain {@code head} available as the ring's next entry and bumps the available index. */
    public static void offer(GuestMemory m, long avail, int queueSize, int head) {
        int idx = m.readShort(avail + 2) & 0xffff;
        m.writeShort(avail + 4 + 2L * (idx % queueSize), (short) head);
        m.writeShort(avail + 2, (short) (idx + 1));
    }
}
