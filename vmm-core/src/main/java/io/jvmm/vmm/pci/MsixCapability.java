package io.jvmm.vmm.pci;

import io.jvmm.vmm.bus.BusDevice;
import io.jvmm.vmm.bus.Bytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;

/**
 * MSI-X (PCI Local Bus 3.0, 6.8.2): the capability in configuration space, and the vector
 * table and pending bit array in a BAR. A vector fires as the MSI message its table entry holds,
 * unless the entry or the whole function is masked; then it is held pending until unmasked.
 */
public final class MsixCapability {
    public static final int ID = 0x11, ENTRY_SIZE = 16;
    private static final int CONTROL = 2, ENABLE = 1 << 15, FUNCTION_MASK = 1 << 14;
    private static final int VECTOR_CONTROL = 12, MASKED = 1;

    /** Told when a vector's message or mask changes (vhost devices mirror it into KVM's routes). */
    public interface VectorListener {
        void vectorChanged(int vector);
    }

    private final PciConfigSpace space;
    private final int capability, vectors;
    private final ByteBuffer table;
    private final BitSet pending = new BitSet();
    private final MsiSink sink;
    private volatile VectorListener listener = v -> { };
    private boolean enabled, functionMasked;

    /** Adds the capability to {@code space}; the table lives at {@code tableOffset}, the PBA at {@code pbaOffset}, of BAR {@code bar}. */
    public MsixCapability(PciConfigSpace space, int vectors, int bar, int tableOffset, int pbaOffset, MsiSink sink) {
        this.space = space;
        this.vectors = vectors;
        this.sink = sink;
        this.table = ByteBuffer.allocate(vectors * ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int v = 0; v < vectors; v++) {
            table.putInt(v * ENTRY_SIZE + VECTOR_CONTROL, MASKED);
        }
        capability = space.addCapability(ID, 12);
        space.set(capability + CONTROL, 2, vectors - 1);
        space.mask(capability + CONTROL, 2, ENABLE | FUNCTION_MASK);
        space.set(capability + 4, 4, tableOffset | bar);
        space.set(capability + 8, 4, pbaOffset | bar);
    }

    public int vectors() {
        return vectors;
    }

    public void listener(VectorListener listener) {
        this.listener = listener;
    }

    /** The owner calls this from its {@code configWritten} hook. */
    public void configWritten(int offset, int length) {
        if (!PciConfigSpace.touches(offset, length, capability + CONTROL, 2)) {
            return;
        }
        int control = (int) space.get(capability + CONTROL, 2);
        synchronized (this) {
            enabled = (control & ENABLE) != 0;
            functionMasked = (control & FUNCTION_MASK) != 0;
        }
        deliverPending();
        for (int v = 0; v < vectors; v++) {
            listener.vectorChanged(v);
        }
    }

    /** Fires {@code vector}; an out-of-range vector (the guest's choice) is dropped. */
    public void fire(int vector) {
        long address;
        int data;
        synchronized (this) {
            if (!enabled || vector < 0 || vector >= vectors) {
                return;
            }
            if (functionMasked || isMasked(vector)) {
                pending.set(vector);
                return;
            }
            address = table.getLong(vector * ENTRY_SIZE);
            data = table.getInt(vector * ENTRY_SIZE + 8);
        }
        sink.signal(address, data);
    }

    public synchronized boolean enabled() {
        return enabled;
    }

    /** The message of {@code vector}, for routing it in KVM; null while it may not fire. */
    public synchronized long[] message(int vector) {
        if (!enabled || functionMasked || isMasked(vector)) {
            return null;
        }
        return new long[] {table.getLong(vector * ENTRY_SIZE), table.getInt(vector * ENTRY_SIZE + 8)};
    }

    private boolean isMasked(int vector) {
        return (table.getInt(vector * ENTRY_SIZE + VECTOR_CONTROL) & MASKED) != 0;
    }

    private void deliverPending() {
        for (int v = 0; v < vectors; v++) {
            boolean fire;
            synchronized (this) {
                fire = pending.get(v) && enabled && !functionMasked && !isMasked(v);
                if (fire) {
                    pending.clear(v);
                }
            }
            if (fire) {
                fire(v);
            }
        }
    }

    /** The vector table, as a BAR region. */
    public BusDevice tableRegion() {
        return new BusDevice() {
            @Override
            public void read(long offset, byte[] data) {
                synchronized (MsixCapability.this) {
                    if (offset < 0 || offset + data.length > table.capacity()) {
                        java.util.Arrays.fill(data, (byte) 0xff);
                        return;
                    }
                    for (int i = 0; i < data.length; i++) {
                        data[i] = table.get((int) offset + i);
                    }
                }
            }

            @Override
            public void write(long offset, byte[] data) {
                int vector;
                synchronized (MsixCapability.this) {
                    if (offset < 0 || offset + data.length > table.capacity()) {
                        return;
                    }
                    for (int i = 0; i < data.length; i++) {
                        table.put((int) offset + i, data[i]);
                    }
                    vector = (int) (offset / ENTRY_SIZE);
                }
                deliverPending();
                listener.vectorChanged(vector);
            }
        };
    }

    /** The pending bit array, as a BAR region: read-only to the guest. */
    public BusDevice pbaRegion() {
        return new BusDevice() {
            @Override
            public void read(long offset, byte[] data) {
                long bits = 0;
                synchronized (MsixCapability.this) {
                    for (int i = 0; i < 64; i++) {
                        if (pending.get((int) offset * 8 + i)) {
                            bits |= 1L << i;
                        }
                    }
                }
                Bytes.put(data, bits);
            }

            @Override
            public void write(long offset, byte[] data) {}
        };
    }
}
