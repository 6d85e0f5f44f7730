package io.jvmm.operator.scheduling;

import io.jvmm.domain.NodeExclusiveResources.Resource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one VM asks of a node: its size, its architecture, the user's placement constraints,
 * and what it must hold there alone ({@code exclusive}, in the name of {@code holder}, its
 * namespace/name).
 */
public record VmDemand(String arch, int vcpus, long memoryBytes, Optional<String> nodeName, Map<String, String> nodeSelector,
                       String holder, List<Resource> exclusive) {
    public VmDemand {
        nodeSelector = Map.copyOf(nodeSelector);
        exclusive = List.copyOf(exclusive);
    }

    /** A VM that needs nothing of its node for itself alone. */
    public VmDemand(String arch, int vcpus, long memoryBytes, Optional<String> nodeName, Map<String, String> nodeSelector) {
        this(arch, vcpus, memoryBytes, nodeName, nodeSelector, "", List.of());
    }
}
