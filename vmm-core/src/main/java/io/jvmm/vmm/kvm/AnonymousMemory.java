package io.jvmm.vmm.kvm;

import jnr.ffi.Pointer;

/** Private anonymous host memory for guest RAM, reserved lazily so untouched RAM costs nothing. */
public final class AnonymousMemory implements AutoCloseable {
    private static final int MADV_DONTDUMP = 16;
    private final Pointer pointer;
    private final long size;

    private AnonymousMemory(Pointer pointer, long size) {
        this.pointer = pointer;
        this.size = size;
    }

    public static AnonymousMemory map(long size) {
        Pointer p = LibC.INSTANCE.mmap(null, size, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        if (p == null || p.address() == -1L) {
            throw new KvmException("mmap of " + (size >> 20) + " MiB of guest RAM", LibC.errno());
        }
        // Guest RAM in a core dump of the VMM would leak the guest's secrets and cost gigabytes.
        LibC.INSTANCE.madvise(p, size, MADV_DONTDUMP);
        return new AnonymousMemory(p, size);
    }

    public Pointer pointer() {
        return pointer;
    }

    public long address() {
        return pointer.address();
    }

    public long size() {
        return size;
    }

    @Override
    public void close() {
        LibC.INSTANCE.munmap(pointer, size);
    }
}
