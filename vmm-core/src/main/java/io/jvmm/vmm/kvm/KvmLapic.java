package io.jvmm.vmm.kvm;

/** struct kvm_lapic_state: the local APIC's 1 KiB register page. */
public final class KvmLapic extends NativeStruct {
    static final int SIZE = 1024;

    public KvmLapic() {
        super(SIZE);
    }

    public int register(int offset) {
        return bytes.getInt(offset);
    }

    public KvmLapic register(int offset, int value) {
        bytes.putInt(offset, value);
        return this;
    }
}
