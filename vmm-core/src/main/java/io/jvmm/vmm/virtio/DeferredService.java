package io.jvmm.vmm.virtio;

import io.jvmm.vmm.host.EventLoop;

/**
 * A queue's service put off by a rate limit: one retry at a time, on the device's loop. While
 * one is pending, kicks need no answer; the retry serves what they announced.
 */
public final class DeferredService {
    private boolean pending;

    public boolean pending() {
        return pending;
    }

    /** Runs {@code service} on {@code loop} after {@code delayNanos}, unless a retry is already pending. Call from the loop. */
    public void retry(EventLoop loop, long delayNanos, Runnable service) {
        if (pending) {
            return;
        }
        pending = true;
        loop.schedule(delayNanos, () -> {
            pending = false;
            service.run();
        });
    }
}
