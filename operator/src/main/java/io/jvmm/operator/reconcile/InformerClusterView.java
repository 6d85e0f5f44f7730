package io.jvmm.operator.reconcile;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.operator.scheduling.NodeReport;
import io.jvmm.operator.scheduling.NodeReports;
import io.jvmm.operator.scheduling.NodeUsage;
import io.javaoperatorsdk.operator.api.reconciler.ResourceCache;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The cluster as the operator's informer caches hold it, plus the placements it made since. */
final class InformerClusterView implements ClusterView {
    private final Supplier<List<Node>> nodes;
    private final Supplier<List<Lease>> leases;
    private final ResourceCache<VirtualMachine> vms;
    private final PlacementLedger ledger;
    private final Clock clock;

    InformerClusterView(Supplier<List<Node>> nodes, Supplier<List<Lease>> leases, ResourceCache<VirtualMachine> vms,
                        PlacementLedger ledger, Clock clock) {
        this.nodes = nodes;
        this.leases = leases;
        this.vms = vms;
        this.ledger = ledger;
        this.clock = clock;
    }

    @Override
    public List<NodeReport> nodes() {
        Map<String, Lease> byNode = leases.get().stream()
                .filter(l -> l.getMetadata().getName().startsWith(NodeContract.LEASE_PREFIX))
                .collect(Collectors.toMap(l -> l.getMetadata().getName().substring(NodeContract.LEASE_PREFIX.length()),
                        l -> l, (a, b) -> a));
        return nodes.get().stream()
                .map(n -> NodeReports.of(n, Optional.ofNullable(byNode.get(n.getMetadata().getName()))))
                .toList();
    }

    @Override
    public Map<String, NodeUsage> usageExcluding(String namespace, String name) {
        return usage(vms.list(vm -> true).toList(), ledger, PlacementLedger.key(namespace, name));
    }

    /**
     * What the VMs in the cache hold on each node, plus the placements the ledger assumes, less
     * the VM {@code excluded} (namespace/name). A ledger entry goes once the cache shows its VM
     * on that node, or once the VM is not in the cache at all: reconciles start from the cache,
     * so a VM missing there was deleted, and its room is free again.
     */
    static Map<String, NodeUsage> usage(List<VirtualMachine> cached, PlacementLedger ledger, String excluded) {
        Map<String, NodeUsage> usage = new HashMap<>();
        Map<String, PlacementLedger.Entry> assumed = new HashMap<>(ledger.entries());
        Set<String> present = new HashSet<>();
        cached.forEach(vm -> {
            String key = PlacementLedger.key(vm.getMetadata().getNamespace(), vm.getMetadata().getName());
            present.add(key);
            Optional<String> node = VmReconciliation.currentNode(vm);
            if (node.isPresent() && assumed.containsKey(key) && assumed.get(key).node().equals(node.get())) {
                assumed.remove(key);
                ledger.forget(vm.getMetadata().getNamespace(), vm.getMetadata().getName());
            }
            if (key.equals(excluded) || node.isEmpty() || holdsNothing(vm)) {
                return;
            }
            usage.merge(node.get(), NodeUsage.NONE.plus(VmDemands.of(vm)), NodeUsage::plus);
        });
        assumed.forEach((key, entry) -> {
            if (!present.contains(key)) {
                ledger.forget(key);
            } else if (!key.equals(excluded)) {
                usage.merge(entry.node(), NodeUsage.NONE.plus(entry.demand()), NodeUsage::plus);
            }
        });
        return usage;
    }

    /** A Stopped VM or one whose spec cannot be read holds no room. */
    private static boolean holdsNothing(VirtualMachine vm) {
        try {
            return vm.getSpec().runState == RunState.STOPPED || VmDemands.of(vm) == null;
        } catch (RuntimeException invalid) {
            return true;
        }
    }

    @Override
    public Instant now() {
        return clock.instant();
    }
}
