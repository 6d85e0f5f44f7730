package io.jvmm.vmm.kvm;

/** A KVM or host call failed; the message names the call and the host's reason. */
public final class KvmException extends RuntimeException {
    private final int errno;

    KvmException(String what, int errno) {
        super(what + " failed: " + LibC.describe(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
