package io.jvmm.vmm.virtio;

/**
 * The guest broke the virtio contract (a descriptor loop, a buffer outside its RAM, a chain
 * longer than the queue). The device stops, reports NEEDS_RESET, and the message says why.
 */
public final class GuestError extends RuntimeException {
    public GuestError(String message) {
        super(message, null, false, false);
    }
}
