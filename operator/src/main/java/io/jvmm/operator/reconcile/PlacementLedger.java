package io.jvmm.operator.reconcile;

import io.jvmm.operator.scheduling.VmDemand;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Placements this operator made that its VM cache may not show yet.  Reconciles of different
 * VMs run in parallel, and without this two of them could both see room for one on a node
 * (kube-scheduler keeps an "assume" cache for the same reason).  An entry goes once the cache
 * shows the VM on that node, or the VM leaves it, or the VM is deleted.
 */
final class PlacementLedger {
    record Entry(String node, VmDemand demand) {}

    private final Map<String, Entry> byVm = new ConcurrentHashMap<>();

    void record(String namespace, String name, String node, VmDemand demand) {
        byVm.put(key(namespace, name), new Entry(node, demand));
    }

    void forget(String namespace, String name) {
        forget(key(namespace, name));
    }

    void forget(String key) {
        byVm.remove(key);
    }

    Map<String, Entry> entries() {
        return Map.copyOf(byVm);
    }

    static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
