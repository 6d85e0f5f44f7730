package io.jvmm.vmm.kvm;

import java.util.List;
import jnr.ffi.Pointer;

/** A vCPU file descriptor and its kvm_run page. */
public final class KvmVcpu implements AutoCloseable {
    /** struct kvm_mp_state values. */
    public static final int MP_STATE_RUNNABLE = 0;
    public static final int MP_STATE_UNINITIALIZED = 1;
    public static final int MP_STATE_HALTED = 3;

    private final int id;
    private final int fd;
    private final KvmRun run;
    private volatile long thread;
    private volatile int threadId;

    KvmVcpu(int id, int fd, KvmRun run) {
        this.id = id;
        this.fd = fd;
        this.run = run;
    }

    public int id() {
        return id;
    }

    public KvmRun runArea() {
        return run;
    }

    /**
     * Runs the guest until an exit userspace must handle. Returns false when KVM_RUN was
     * interrupted (a kick, or any other signal): the caller looks at why it was kicked.
     */
    public boolean run() {
        int r = LibC.INSTANCE.ioctl(fd, Ioctls.RUN, 0L);
        if (r < 0) {
            int errno = LibC.errno();
            if (errno == LibC.EINTR || errno == LibC.EAGAIN) {
                return false;
            }
            throw new KvmException("KVM_RUN on vCPU " + id, errno);
        }
        return true;
    }

    /** Called on the thread that will run this vCPU, so that {@link #kick()} can reach it. */
    public void bindToCurrentThread() {
        VcpuKickSignal.install();
        threadId = LibC.INSTANCE.gettid();
        thread = LibC.INSTANCE.pthread_self();
    }

    /** The host thread id running this vCPU (QMP's thread-id), or 0 before it started. */
    public int threadId() {
        return threadId;
    }

    /** Makes the vCPU leave KVM_RUN soon: now if it is inside, at its next entry if not. */
    public void kick() {
        run.immediateExit(true);
        long t = thread;
        if (t != 0) {
            LibC.INSTANCE.pthread_kill(t, VcpuKickSignal.SIGNAL);
        }
    }

    /** Lets KVM_RUN enter the guest again after a kick. */
    public void clearKick() {
        run.immediateExit(false);
    }

    public KvmRegs regs() {
        return read(new KvmRegs(), Ioctls.GET_REGS, "KVM_GET_REGS");
    }

    public void setRegs(KvmRegs regs) {
        write(regs, Ioctls.SET_REGS, "KVM_SET_REGS");
    }

    public KvmSregs sregs() {
        return read(new KvmSregs(), Ioctls.GET_SREGS, "KVM_GET_SREGS");
    }

    public void setSregs(KvmSregs sregs) {
        write(sregs, Ioctls.SET_SREGS, "KVM_SET_SREGS");
    }

    public KvmFpu fpu() {
        return read(new KvmFpu(), Ioctls.GET_FPU, "KVM_GET_FPU");
    }

    public void setFpu(KvmFpu fpu) {
        write(fpu, Ioctls.SET_FPU, "KVM_SET_FPU");
    }

    public KvmLapic lapic() {
        return read(new KvmLapic(), Ioctls.GET_LAPIC, "KVM_GET_LAPIC");
    }

    public void setLapic(KvmLapic lapic) {
        write(lapic, Ioctls.SET_LAPIC, "KVM_SET_LAPIC");
    }

    /** Fills STRUCT from the vCPU with a GET ioctl. */
    private <T extends NativeStruct> T read(T struct, long request, String name) {
        Pointer p = struct.toNative();
        KvmVm.check(LibC.ioctlWith(fd, request, p), name);
        struct.fromNative(p);
        return struct;
    }

    private void write(NativeStruct struct, long request, String name) {
        KvmVm.check(LibC.ioctlWith(fd, request, struct.toNative()), name);
    }

    public void setCpuid(List<CpuidEntry> entries) {
        KvmVm.check(LibC.ioctlWith(fd, Ioctls.SET_CPUID2, Kvm.cpuidToNative(entries)), "KVM_SET_CPUID2");
    }

    /** Sets every MSR in {@code msrs}; KVM stops at the first it refuses, which is an error here. */
    public void setMsrs(List<MsrEntry> msrs) {
        Pointer p = LibC.allocate(8 + 16 * msrs.size());
        p.putInt(0, msrs.size());
        for (int i = 0; i < msrs.size(); i++) {
            p.putInt(8 + 16L * i, msrs.get(i).index());
            p.putLong(8 + 16L * i + 8, msrs.get(i).value());
        }
        int set = LibC.ioctlWith(fd, Ioctls.SET_MSRS, p);
        if (set < 0) {
            throw new KvmException("KVM_SET_MSRS", LibC.errno());
        }
        if (set != msrs.size()) {
            throw new IllegalStateException(String.format("KVM refused MSR 0x%x on vCPU %d", msrs.get(set).index(), id));
        }
    }

    public int mpState() {
        Pointer p = LibC.allocate(4);
        KvmVm.check(LibC.ioctlWith(fd, Ioctls.GET_MP_STATE, p), "KVM_GET_MP_STATE");
        return p.getInt(0);
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }
}
