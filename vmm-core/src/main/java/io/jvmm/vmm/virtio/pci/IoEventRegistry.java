package io.jvmm.vmm.virtio.pci;

import io.jvmm.vmm.host.EventFd;

/**
 * Where a transport asks for guest writes at an MMIO address to signal an eventfd without an
 * exit to the VMM (KVM's ioeventfd). Without it, the transport signals the eventfd itself.
 */
public interface IoEventRegistry {
    void register(long address, int length, EventFd fd);

    void unregister(long address, int length, EventFd fd);

    IoEventRegistry NONE = new IoEventRegistry() {
        @Override
        public void register(long address, int length, EventFd fd) {}

        @Override
        public void unregister(long address, int length, EventFd fd) {}
    };
}
