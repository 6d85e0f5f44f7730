package io.jvmm.operator.scheduling;

import io.jvmm.domain.NodeExclusiveResources;
import io.jvmm.domain.Problem;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses a node for a VM.  A node qualifies when its agent heartbeats, its architecture
 * matches, it has KVM, it satisfies spec.nodeName and spec.nodeSelector, and its allocatable
 * vCPUs and memory, less what its VMs hold, cover the VM, and none of its VMs holds the vsock
 * CID, a tap or a host device the VM must have alone.  Among qualifying nodes it takes the
 * one with the most free memory (spreading VMs, the usual first choice of a VM scheduler),
 * then the name, so that the same inputs always give the same node.
 */
public final class VmScheduler {

    public Placement place(VmDemand vm, List<NodeReport> nodes, Map<String, NodeUsage> usageByNode, Instant now) {
        Map<String, String> reasons = new LinkedHashMap<>();
        NodeReport best = null;
        long bestFree = -1;
        for (NodeReport node : nodes.stream().sorted(Comparator.comparing(NodeReport::name)).toList()) {
            NodeUsage used = usageByNode.getOrDefault(node.name(), NodeUsage.NONE);
            Optional<String> refusal = refusal(vm, node, used, now);
            if (refusal.isPresent()) {
                reasons.put(node.name(), refusal.get());
                continue;
            }
            long free = node.allocatableMemoryBytes() - used.memoryBytes();
            if (free > bestFree) {
                best = node;
                bestFree = free;
            }
        }
        return best != null ? new Placement.OnNode(best.name()) : new Placement.Unschedulable(reasons);
    }

    /** Why NODE cannot take VM, or empty if it can. */
    Optional<String> refusal(VmDemand vm, NodeReport node, NodeUsage used, Instant now) {
        if (vm.nodeName().isPresent() && !vm.nodeName().get().equals(node.name())) {
            return Optional.of("spec.nodeName asks for " + vm.nodeName().get());
        }
        for (Map.Entry<String, String> wanted : vm.nodeSelector().entrySet()) {
            String actual = node.labels().get(wanted.getKey());
            if (!wanted.getValue().equals(actual)) {
                return Optional.of("label " + wanted.getKey() + "=" + wanted.getValue() + " of spec.nodeSelector is "
                        + (actual == null ? "missing" : "'" + actual + "'"));
            }
        }
        if (!node.agentAlive(now)) {
            return Optional.of(node.lastHeartbeat()
                    .map(beat -> "node agent silent since " + beat)
                    .orElse("no node agent heartbeat"));
        }
        if (!node.kvm()) {
            return Optional.of("no KVM");
        }
        if (!vm.arch().equals(node.arch())) {
            return Optional.of("arch is " + node.arch() + ", the VM needs " + vm.arch());
        }
        int freeVcpus = node.allocatableVcpus() - used.vcpus();
        if (vm.vcpus() > freeVcpus) {
            return Optional.of("needs " + vm.vcpus() + " vCPUs, " + Math.max(freeVcpus, 0) + " of "
                    + node.allocatableVcpus() + " free");
        }
        long freeMemory = node.allocatableMemoryBytes() - used.memoryBytes();
        if (vm.memoryBytes() > freeMemory) {
            return Optional.of("needs " + mib(vm.memoryBytes()) + " MiB memory (guest RAM and VMM overhead), "
                    + mib(Math.max(freeMemory, 0))
                    + " of " + mib(node.allocatableMemoryBytes()) + " MiB free");
        }
        return NodeExclusiveResources.clash(vm.exclusive(), used.heldBy()).map(Problem::toString);
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
