package io.jvmm.vmm.kvm;

/** struct kvm_fpu: x87 and SSE state. Only the control words matter at reset. */
public final class KvmFpu extends NativeStruct {
    static final int SIZE = 416;
    private static final int FCW = 128;
    private static final int MXCSR = 408;

    public KvmFpu() {
        super(SIZE);
    }

    public KvmFpu fcw(int value) {
        bytes.putShort(FCW, (short) value);
        return this;
    }

    public KvmFpu mxcsr(int value) {
        bytes.putInt(MXCSR, value);
        return this;
    }
}
