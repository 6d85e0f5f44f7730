package io.jvmm.vmm.host;

import io.jvmm.vmm.kvm.LibC;

/** A host system call failed; the message names the call and the host's reason. */
public final class HostCallException extends RuntimeException {
    private final int errno;

    public HostCallException(String what, int errno) {
        super(what + " failed: " + LibC.describe(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
