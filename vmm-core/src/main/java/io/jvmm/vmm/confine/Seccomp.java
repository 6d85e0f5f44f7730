package io.jvmm.vmm.confine;

import io.jvmm.vmm.host.HostCallException;
import io.jvmm.vmm.kvm.LibC;
import java.nio.ByteBuffer;
import jnr.ffi.Pointer;

/** Installs a seccomp program on every thread of the process (SECCOMP_FILTER_FLAG_TSYNC). */
public final class Seccomp {
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final long SYS_SECCOMP = 317, SECCOMP_SET_MODE_FILTER = 1, SECCOMP_FILTER_FLAG_TSYNC = 1;

    private Seccomp() {}

    /**
     * no_new_privs first (an unprivileged process may install a filter only with it, and it keeps
     * any exec from gaining privileges), then the program for all threads at once: a thread
     * started before the filter is as bound as one started after.
     */
    public static void install(BpfProgram program) {
        if (LibC.INSTANCE.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
            throw new HostCallException("prctl(PR_SET_NO_NEW_PRIVS)", LibC.errno());
        }
        ByteBuffer code = program.encode();
        // struct sock_fprog: unsigned short len, then (aligned) the instructions' address.
        Pointer fprog = LibC.allocate(16);
        Pointer instructions = Pointer.wrap(LibC.RUNTIME, code);
        fprog.putShort(0, (short) program.size());
        fprog.putAddress(8, instructions.address());
        try {
            long result = LibC.syscallWith(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, fprog);
            if (result < 0) {
                throw new HostCallException("seccomp(SECCOMP_SET_MODE_FILTER)", LibC.errno());
            }
            if (result > 0) {
                throw new IllegalStateException("seccomp: thread " + result + " could not take the filter");
            }
        } finally {
            java.lang.ref.Reference.reachabilityFence(code);
            java.lang.ref.Reference.reachabilityFence(instructions);
        }
    }
}
