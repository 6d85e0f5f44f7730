package io.jvmm.vmm.arch.x86_64;

/** The kernel, initrd or memory size cannot make a bootable guest; the message says why. */
public final class BootException extends Exception {
    public BootException(String message) {
        super(message);
    }
}
