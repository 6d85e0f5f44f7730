package io.jvmm.vmm.virtio;

import io.jvmm.vmm.host.EventFd;
import io.jvmm.vmm.host.EventLoop;
import io.jvmm.vmm.memory.GuestMemory;

/** What an active device works with: guest memory, its queues, its interrupts and its I/O thread. */
public interface DeviceRuntime {
    GuestMemory memory();

    /** The queue at {@code index}, or null when the driver did not enable it. */
    Virtqueue queue(int index);

    /** The features the driver accepted. */
    long features();

    EventLoop loop();

    /** Interrupts the guest for queue {@code index} if it asked to be told of used buffers. */
    void notifyQueue(int index);

    /**
     * The kick eventfd of queue {@code index} (signalled when the guest notifies it), which the
     * transport stops watching: the caller serves the kicks from now on (a vhost device hands it
     * to the kernel). Null when the queue is not enabled. Valid until the device is reset.
     */
    EventFd takeKick(int index);

    /**
     * An eventfd whose signal interrupts the guest for queue {@code index} as its MSI-X vector
     * says (a vhost device's call eventfd). Valid until the device is reset.
     */
    EventFd callFd(int index);

    /** Tells the guest the device configuration changed. */
    void notifyConfig();

    /** Stops the device with NEEDS_RESET, logging {@code reason}. */
    void fail(String reason);
}
