package io.jvmm.vmm.kvm;

/** struct kvm_sregs: segment and descriptor-table registers, control registers, EFER. */
public final class KvmSregs extends NativeStruct {
    private static final int SEGMENT_SIZE = 24;
    private static final int DTABLE_SIZE = 16;
    static final int SIZE = 8 * SEGMENT_SIZE + 2 * DTABLE_SIZE + 7 * 8 + 4 * 8;

    /** The segment registers in the order of struct kvm_sregs. */
    public enum SegmentRegister { CS, DS, ES, FS, GS, SS, TR, LDT }

    /** The control registers and MSR-like fields that follow the descriptor tables. */
    public enum Control { CR0, CR2, CR3, CR4, CR8, EFER, APIC_BASE }

    private static final int GDT = 8 * SEGMENT_SIZE;
    private static final int IDT = GDT + DTABLE_SIZE;
    private static final int CONTROL = IDT + DTABLE_SIZE;

    public KvmSregs() {
        super(SIZE);
    }

    public KvmSregs segment(SegmentRegister which, Segment s) {
        int o = which.ordinal() * SEGMENT_SIZE;
        bytes.putLong(o, s.base());
        bytes.putInt(o + 8, s.limit());
        bytes.putShort(o + 12, (short) s.selector());
        bytes.put(o + 14, (byte) s.type());
        bytes.put(o + 15, flag(s.present()));
        bytes.put(o + 16, (byte) s.dpl());
        bytes.put(o + 17, flag(s.db()));
        bytes.put(o + 18, flag(s.system() == false));
        bytes.put(o + 19, flag(s.longMode()));
        bytes.put(o + 20, flag(s.granularity4k()));
        bytes.put(o + 21, (byte) 0);
        bytes.put(o + 22, flag(!s.present()));
        return this;
    }

    public KvmSregs gdt(long base, int limit) {
        return table(GDT, base, limit);
    }

    public KvmSregs idt(long base, int limit) {
        return table(IDT, base, limit);
    }

    public long get(Control c) {
        return bytes.getLong(CONTROL + c.ordinal() * 8);
    }

    public KvmSregs set(Control c, long value) {
        bytes.putLong(CONTROL + c.ordinal() * 8, value);
        return this;
    }

    private KvmSregs table(int offset, long base, int limit) {
        bytes.putLong(offset, base);
        bytes.putShort(offset + 8, (short) limit);
        return this;
    }

    private static byte flag(boolean b) {
        return (byte) (b ? 1 : 0);
    }

    /**
     * A segment register's hidden part, as KVM takes it. {@code system} is true for system
     * descriptors (TSS, LDT), whose S bit is clear.
     */
    public record Segment(long base, int limit, int selector, int type, boolean present, int dpl,
                          boolean db, boolean system, boolean longMode, boolean granularity4k) {}
}
