package io.jvmm.operator.scheduling;

import io.jvmm.domain.NodeExclusiveResources.Resource;
import java.util.HashMap;
import java.util.Map;

/**
 * The vCPUs and memory that the VMs already placed on a node hold, and which VM holds each of
 * the node's exclusive resources (vsock CIDs, taps, host devices; by resource name).
 */
public record NodeUsage(int vcpus, long memoryBytes, Map<String, String> heldBy) {
    public static final NodeUsage NONE = new NodeUsage(0, 0, Map.of());

    public NodeUsage {
        heldBy = Map.copyOf(heldBy);
    }

    public NodeUsage(int vcpus, long memoryBytes) {
        this(vcpus, memoryBytes, Map.of());
    }

    public NodeUsage plus(VmDemand vm) {
        Map<String, String> held = new HashMap<>(heldBy);
        for (Resource r : vm.exclusive()) {
            held.putIfAbsent(r.name(), vm.holder());
        }
        return new NodeUsage(vcpus + vm.vcpus(), memoryBytes + vm.memoryBytes(), held);
    }

    public NodeUsage plus(NodeUsage other) {
        Map<String, String> held = new HashMap<>(heldBy);
        other.heldBy.forEach(held::putIfAbsent);
        return new NodeUsage(vcpus + other.vcpus, memoryBytes + other.memoryBytes, held);
    }
}
