package io.jvmm.vmm.kvm;

/** struct kvm_regs: the general-purpose registers, RIP and RFLAGS. */
public final class KvmRegs extends NativeStruct {
    static final int SIZE = 18 * 8;

    /** In the order of struct kvm_regs. */
    public enum Reg { RAX, RBX, RCX, RDX, RSI, RDI, RSP, RBP, R8, R9, R10, R11, R12, R13, R14, R15, RIP, RFLAGS }

    public KvmRegs() {
        super(SIZE);
    }

    public long get(Reg r) {
        return bytes.getLong(r.ordinal() * 8);
    }

    public KvmRegs set(Reg r, long value) {
        bytes.putLong(r.ordinal() * 8, value);
        return this;
    }
}
