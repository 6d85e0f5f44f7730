package io.jvmm.vmm.memory;

/** An access outside guest RAM: refused before any host memory is touched. */
public final class GuestMemoryException extends RuntimeException {
    public GuestMemoryException(String message) {
        super(message);
    }
}
