package io.jvmm.vmm.memory;

import com.kenai.jffi.MemoryIO;
import io.jvmm.vmm.kvm.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * Guest physical memory as the VMM and its devices see it. Every access is checked against the
 * RAM regions first: an address or length from a guest can name any 64-bit value, and none of
 * them may make the VMM read or write host memory outside guest RAM. An access may not straddle
 * two regions (they are not contiguous in the guest anyway: the 32-bit hole lies between them).
 */
public final class GuestMemory {
    private final List<GuestRegion> regions;

    public GuestMemory(List<GuestRegion> regions) {
        this.regions = List.copyOf(regions);
    }

    public List<GuestRegion> regions() {
        return regions;
    }

    /** Total RAM in bytes. */
    public long size() {
        return regions.stream().mapToLong(GuestRegion::size).sum();
    }

    public boolean isRam(long address, long length) {
        for (GuestRegion r : regions) {
            if (r.contains(address, length)) {
                return true;
            }
        }
        return false;
    }

    private GuestRegion regionFor(long address, long length) {
        for (GuestRegion r : regions) {
            if (r.contains(address, length)) {
                return r;
            }
        }
        throw new GuestMemoryException(String.format("guest access of %d bytes at 0x%x is outside guest RAM", length, address));
    }

    /**
     * A view of {@code length} bytes of guest RAM at {@code address}, for I/O straight between a
     * host file or socket and the guest's buffer (no copy). Checked like every other access.
     */
    public ByteBuffer buffer(long address, int length) {
        return MemoryIO.getInstance().newDirectByteBuffer(hostAddress(address, length), length)
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The host virtual address of guest RAM at {@code address}, which must hold {@code length} bytes. */
    public long hostAddress(long address, long length) {
        GuestRegion r = regionFor(address, length);
        return r.host().address() + (address - r.guestAddress());
    }

    /**
     * Gives the host pages of [address, address + length) back to the host (the balloon's
     * inflated pages); the guest reads zeros there if it touches them again.
     */
    public void discard(long address, long length) {
        long host = hostAddress(address, length);
        LibC.INSTANCE.madvise(Pointer.wrap(LibC.RUNTIME, host), length, LibC.MADV_DONTNEED);
    }

    public void write(long address, byte[] data) {
        write(address, data, 0, data.length);
    }

    public void write(long address, byte[] data, int offset, int length) {
        GuestRegion r = regionFor(address, length);
        r.host().put(address - r.guestAddress(), data, offset, length);
    }

    public void read(long address, byte[] into) {
        read(address, into, 0, into.length);
    }

    public void read(long address, byte[] into, int offset, int length) {
        GuestRegion r = regionFor(address, length);
        r.host().get(address - r.guestAddress(), into, offset, length);
    }

    public byte readByte(long address) {
        GuestRegion r = regionFor(address, 1);
        return r.host().getByte(address - r.guestAddress());
    }

    public short readShort(long address) {
        GuestRegion r = regionFor(address, 2);
        return r.host().getShort(address - r.guestAddress());
    }

    public int readInt(long address) {
        GuestRegion r = regionFor(address, 4);
        return r.host().getInt(address - r.guestAddress());
    }

    public long readLong(long address) {
        GuestRegion r = regionFor(address, 8);
        return r.host().getLong(address - r.guestAddress());
    }

    public void writeByte(long address, byte value) {
        GuestRegion r = regionFor(address, 1);
        r.host().putByte(address - r.guestAddress(), value);
    }

    public void writeShort(long address, short value) {
        GuestRegion r = regionFor(address, 2);
        r.host().putShort(address - r.guestAddress(), value);
    }

    public void writeInt(long address, int value) {
        GuestRegion r = regionFor(address, 4);
        r.host().putInt(address - r.guestAddress(), value);
    }

    public void writeLong(long address, long value) {
        GuestRegion r = regionFor(address, 8);
        r.host().putLong(address - r.guestAddress(), value);
    }
}
