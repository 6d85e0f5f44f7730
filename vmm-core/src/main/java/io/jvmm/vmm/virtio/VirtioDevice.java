package io.jvmm.vmm.virtio;

/**
 * A virtio device type (block, network, console...) as the transport drives it. Configuration
 * reads and writes come from vCPU threads; {@link #activate}, {@link #queueNotified} and
 * {@link #reset} run on the device's {@link io.jvmm.vmm.host.EventLoop}, one at a time.
 */
public interface VirtioDevice {
    /** The virtio device ID (1 network, 2 block, 3 console, 4 entropy, 5 balloon, 19 vsock). */
    int type();

    /** The PCI class code the device presents (class, subclass, programming interface). */
    int pciClass();

    /** The device's name for messages: its id= on the command line. */
    String id();

    /** Features the device offers; the transport adds VERSION_1, EVENT_IDX and INDIRECT_DESC. */
    long features();

    int queueCount();

    int queueMaxSize(int index);

    void readConfig(int offset, byte[] data);

    default void writeConfig(int offset, byte[] data) {}

    /** The driver is ready (DRIVER_OK): start serving the queues of {@code runtime}. */
    void activate(DeviceRuntime runtime);

    /** The guest kicked queue {@code index} (or the transport checks it after activation). */
    void queueNotified(int index);

    /** The driver reset the device: drop the queues; {@link #activate} may follow again. */
    void reset();

    /** The VMM is ending: release host resources (threads, descriptors) the device holds beyond a reset. */
    default void close() {}
}
