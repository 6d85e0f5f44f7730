package io.jvmm.vmm.virtio.pci;

import io.jvmm.vmm.host.EventFd;

/**
 * Where a transport asks for an eventfd's signal to inject an MSI message without the VMM
 * (KVM's irqfd on an MSI route): how a vhost device, which signals a call eventfd from the
 * kernel, interrupts the guest. Without one, the transport relays the signal itself.
 */
public interface IrqFdRegistry {
    /** One eventfd bound to an MSI message. */
    interface Binding {
        /** The guest reprogrammed the vector: the same eventfd now injects this message. */
        void update(long address, int data);

        /** Undoes the binding and frees its route. */
        void close();
    }

    Binding bind(EventFd fd, long address, int data);
}
