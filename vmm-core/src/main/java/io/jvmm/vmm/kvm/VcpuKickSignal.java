package io.jvmm.vmm.kvm;

import java.lang.ref.Reference;

import jnr.ffi.Pointer;

/**
 * The signal that pulls a vCPU thread out of KVM_RUN (for pause, reset and exit). It needs a
 * handler, or it would kill the process; the handler is libc's getpid, which does nothing
 * harmful and runs no Java code in signal context.
 */
final class VcpuKickSignal {
    /** SIGRTMIN+6: glibc keeps SIGRTMIN..+1 for itself and the JVM uses no real-time signal. */
    static final int SIGNAL = 34 + 6;
    private static final int SA_RESTART = 0x10000000;
    private static final int SIGACTION_SIZE = 152;
    private static final int SA_FLAGS_OFFSET = 136;
    private static boolean installed;

    private VcpuKickSignal() {}

    static synchronized void install() {
        if (installed) {
            return;
        }
        long handler = com.kenai.jffi.Library.getCachedInstance(LibC.NAME, com.kenai.jffi.Library.LAZY)
                .getSymbolAddress("getpid");
        if (handler == 0) {
            throw new IllegalStateException("cannot find getpid in libc for the vCPU kick signal handler");
        }
        Pointer action = LibC.allocate(SIGACTION_SIZE);
        action.putLong(0, handler);
        // SA_RESTART keeps the kick from failing ordinary system calls of the vCPU thread;
        // KVM_RUN itself returns EINTR regardless.
        action.putInt(SA_FLAGS_OFFSET, SA_RESTART);
        int result = LibC.INSTANCE.sigaction(SIGNAL, action, null);
        Reference.reachabilityFence(action); // its memory is freed once unreachable, see LibC.ioctlWith
        if (result < 0) {
            throw new KvmException("sigaction for the vCPU kick signal", LibC.errno());
        }
        installed = true;
    }
}
