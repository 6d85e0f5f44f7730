package io.jvmm.vmm.pci;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A 4 KiB PCIe configuration space with a per-byte write mask: bytes the mask leaves clear are
 * read-only to the guest. Devices fill in their identity and capabilities through it.
 */
public class PciConfigSpace implements PciFunction {
    public static final int SIZE = 4096;
    public static final int VENDOR_ID = 0x00, DEVICE_ID = 0x02, COMMAND = 0x04, STATUS = 0x06, REVISION = 0x08,
            CLASS_PROG = 0x09, CACHE_LINE = 0x0c, LATENCY = 0x0d, HEADER_TYPE = 0x0e, SUBSYSTEM_VENDOR = 0x2c,
            SUBSYSTEM_ID = 0x2e, CAPABILITIES = 0x34, INTERRUPT_LINE = 0x3c, INTERRUPT_PIN = 0x3d;
    public static final int COMMAND_MEMORY = 1 << 1, STATUS_CAPABILITIES = 1 << 4;
    private static final int FIRST_CAPABILITY = 0x40, LAST_CAPABILITY_END = 0x100;

    private final ByteBuffer bytes = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] writable = new byte[SIZE];
    private int lastCapability, nextCapability = FIRST_CAPABILITY;

    public PciConfigSpace(int vendor, int device, int classCode, int revision, int headerType) {
        bytes.putShort(VENDOR_ID, (short) vendor);
        bytes.putShort(DEVICE_ID, (short) device);
        bytes.put(REVISION, (byte) revision);
        bytes.put(CLASS_PROG, (byte) classCode);
        bytes.putShort(CLASS_PROG + 1, (short) (classCode >> 8));
        bytes.put(HEADER_TYPE, (byte) headerType);
        // Memory and I/O space enable, bus master, SERR, INTx disable: what drivers toggle.
        mask(COMMAND, 2, 0x0547);
        mask(CACHE_LINE, 1, 0xff);
        mask(LATENCY, 1, 0xff);
        mask(INTERRUPT_LINE, 1, 0xff);
    }

    /** Sets {@code value} at {@code offset} as the device's own (not guest-visible write) data. */
    public final PciConfigSpace set(int offset, int width, long value) {
        for (int i = 0; i < width; i++) {
            bytes.put(offset + i, (byte) (value >>> (8 * i)));
        }
        return this;
    }

    public final long get(int offset, int width) {
        long v = 0;
        for (int i = width - 1; i >= 0; i--) {
            v = (v << 8) | (bytes.get(offset + i) & 0xff);
        }
        return v;
    }

    /** Makes the bits of {@code bits} at {@code offset} guest-writable. */
    public final PciConfigSpace mask(int offset, int width, long bits) {
        for (int i = 0; i < width; i++) {
            writable[offset + i] |= (byte) (bits >>> (8 * i));
        }
        return this;
    }

    /**
     * Appends a capability of {@code length} bytes with ID {@code id} to the list the guest
     * walks from offset 0x34; returns its offset, for the caller to fill in.
     */
    public final synchronized int addCapability(int id, int length) {
        int at = nextCapability;
        if (at + length > LAST_CAPABILITY_END) {
            throw new IllegalStateException("no room for PCI capability 0x" + Integer.toHexString(id));
        }
        set(at, 1, id);
        set(at + 1, 1, 0);
        if (lastCapability == 0) {
            set(CAPABILITIES, 1, at);
            set(STATUS, 2, get(STATUS, 2) | STATUS_CAPABILITIES);
        } else {
            set(lastCapability + 1, 1, at);
        }
        lastCapability = at;
        nextCapability = (at + length + 3) & ~3;
        return at;
    }

    @Override
    public synchronized void readConfig(int offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            data[i] = bytes.get(offset + i);
        }
    }

    @Override
    public synchronized void writeConfig(int offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            int o = offset + i;
            int m = writable[o];
            bytes.put(o, (byte) ((bytes.get(o) & ~m) | (data[i] & m)));
        }
        configWritten(offset, data.length);
    }

    /** Called, under the space's lock, after the guest wrote {@code length} bytes at {@code offset}. */
    protected void configWritten(int offset, int length) {}

    /** Whether a write at {@code offset} of {@code length} bytes touched [{@code register}, +{@code width}). */
    protected static boolean touches(int offset, int length, int register, int width) {
        return offset < register + width && register < offset + length;
    }
}
