package io.jvmm.vmm.memory;

import jnr.ffi.Pointer;

/** A contiguous run of guest RAM and the host memory that backs it. */
public record GuestRegion(long guestAddress, long size, Pointer host) {
    public long end() {
        return guestAddress + size;
    }

    /** True when [address, address + length) lies wholly inside this region, without overflow. */
    boolean contains(long address, long length) {
        return length >= 0 && address >= guestAddress && address - guestAddress <= size - length;
    }
}
