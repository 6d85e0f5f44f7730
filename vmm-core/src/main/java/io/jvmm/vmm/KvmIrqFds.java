package io.jvmm.vmm;

import io.jvmm.vmm.host.EventFd;
import io.jvmm.vmm.kvm.KvmVm;
import io.jvmm.vmm.virtio.pci.IrqFdRegistry;
import java.util.Map;
import java.util.TreeMap;

/**
 * Call eventfds bound by KVM's irqfd to MSI routes: each binding holds one GSI above the
 * IOAPIC's, and KVM's routing table is rewritten with all of them whenever one changes.
 */
final class KvmIrqFds implements IrqFdRegistry {
    private final KvmVm vm;
    private final Map<Integer, KvmVm.MsiRoute> routes = new TreeMap<>();

    KvmIrqFds(KvmVm vm) {
        this.vm = vm;
    }

    @Override
    public synchronized Binding bind(EventFd fd, long address, int data) {
        int gsi = KvmVm.FIRST_MSI_GSI;
        while (routes.containsKey(gsi)) {
            gsi++;
        }
        int route = gsi;
        routes.put(route, new KvmVm.MsiRoute(route, address, data));
        vm.setMsiRoutes(routes.values());
        vm.irqfd(fd.fd(), route, true);
        return new Binding() {
            @Override
            public void update(long address, int data) {
                synchronized (KvmIrqFds.this) {
                    routes.put(route, new KvmVm.MsiRoute(route, address, data));
                    vm.setMsiRoutes(routes.values());
                }
            }

            @Override
            public void close() {
                synchronized (KvmIrqFds.this) {
                    vm.irqfd(fd.fd(), route, false);
                    routes.remove(route);
                    vm.setMsiRoutes(routes.values());
                }
            }
        };
    }
}
