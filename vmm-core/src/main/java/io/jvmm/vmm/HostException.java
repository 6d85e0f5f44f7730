package io.jvmm.vmm;

/** The host cannot run the VM as asked (no KVM, not enough memory...); the message says why. */
final class HostException extends Exception {
    HostException(String message) {
        super(message);
    }
}
