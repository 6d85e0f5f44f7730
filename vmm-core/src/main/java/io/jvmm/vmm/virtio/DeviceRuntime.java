package io.jvmm.vmm.virtio;

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

    /** Tells the guest the device configuration changed. */
    void notifyConfig();

    /** Stops the device with NEEDS_RESET, logging {@code reason}. */
    void fail(String reason);
}
