package io.jvmm.vmm.kvm;

import jnr.ffi.Pointer;

/**
 * Private anonymous host memory for guest RAM, reserved lazily so untouched RAM costs nothing.
 * It starts on a 2 MiB boundary and asks for transparent huge pages, as QEMU does for its RAM:
 * KVM can then map the guest's memory with 2 MiB pages in its nested page tables, so each guest
 * TLB miss walks fewer levels and the first touch of 2 MiB faults once instead of 512 times.
 */
public final class AnonymousMemory implements AutoCloseable {
    static final long HUGE_PAGE = 2L << 20;
    private static final int MADV_HUGEPAGE = 14;
    private static final int MADV_DONTDUMP = 16;
    private final Pointer pointer;
    private final long size;

    private AnonymousMemory(Pointer pointer, long size) {
        this.pointer = pointer;
        this.size = size;
    }

    public static AnonymousMemory map(long size) {
        // Reserve a huge page more than asked, then give back what lies outside the aligned part.
        long reserved = size + HUGE_PAGE;
        Pointer p = LibC.INSTANCE.mmap(null, reserved, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        if (p == null || p.address() == -1L) {
            throw new KvmException("mmap of " + (size >> 20) + " MiB of guest RAM", LibC.errno());
        }
        long start = alignUp(p.address(), HUGE_PAGE);
        unmap(p.address(), start - p.address());
        unmap(start + size, p.address() + reserved - (start + size));
        Pointer aligned = Pointer.wrap(LibC.RUNTIME, start);
        // Only advice: a kernel without transparent huge pages refuses it and RAM works as before.
        LibC.INSTANCE.madvise(aligned, size, MADV_HUGEPAGE);
        // Guest RAM in a core dump of the VMM would leak the guest's secrets and cost gigabytes.
        LibC.INSTANCE.madvise(aligned, size, MADV_DONTDUMP);
        return new AnonymousMemory(aligned, size);
    }

    static long alignUp(long address, long alignment) {
        return (address + alignment - 1) & -alignment;
    }

    private static void unmap(long address, long length) {
        if (length > 0) {
            LibC.INSTANCE.munmap(Pointer.wrap(LibC.RUNTIME, address), length);
        }
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
