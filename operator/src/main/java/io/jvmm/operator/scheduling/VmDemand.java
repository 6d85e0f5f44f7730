package io.jvmm.operator.scheduling;

import java.util.Map;
import java.util.Optional;

/** What one VM asks of a node: its size, its architecture and the user's placement constraints. */
public record VmDemand(String arch, int vcpus, long memoryBytes, Optional<String> nodeName, Map<String, String> nodeSelector) {
    public VmDemand {
        nodeSelector = Map.copyOf(nodeSelector);
    }
}
