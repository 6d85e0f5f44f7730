package io.jvmm.operator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus;
import io.jvmm.operator.status.VmStatusBuilder;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The thin Kubernetes side of VM reconciliation: gathers the cluster view from informer caches,
 * asks {@link VmReconciliation} what to do, and writes the result (the node label, status by
 * server-side apply without touching status.agent, an Event per phase change).  Node and agent
 * Lease changes wake the VMs they concern: those on that node, and those waiting for one.
 */
@ControllerConfiguration(name = "virtualmachines", finalizerName = NodeContract.VMM_FINALIZER,
        generationAwareEventProcessing = false)
public final class VirtualMachineReconciler implements Reconciler<VirtualMachine>, Cleaner<VirtualMachine> {
    public static final String FIELD_MANAGER = "jvmm-operator";
    private static final String NODES = "nodes";
    private static final String LEASES = "leases";

    private final VmReconciliation logic;
    private final String agentNamespace;
    private final Clock clock;
    private final PlacementLedger ledger = new PlacementLedger();

    public VirtualMachineReconciler(VmReconciliation logic, String agentNamespace, Clock clock) {
        this.logic = logic;
        this.agentNamespace = agentNamespace;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, VirtualMachine>> prepareEventSources(EventSourceContext<VirtualMachine> context) {
        IndexerResourceCache<VirtualMachine> vms = context.getPrimaryCache();
        var nodes = new InformerEventSource<>(InformerEventSourceConfiguration.from(Node.class, VirtualMachine.class)
                .withName(NODES)
                .withSecondaryToPrimaryMapper(node -> concerned(vms, node.getMetadata().getName()))
                .build(), context);
        var leases = new InformerEventSource<>(InformerEventSourceConfiguration.from(Lease.class, VirtualMachine.class)
                .withName(LEASES)
                .withNamespaces(agentNamespace)
                .withSecondaryToPrimaryMapper(lease -> lease.getMetadata().getName().startsWith(NodeContract.LEASE_PREFIX)
                        ? concerned(vms, lease.getMetadata().getName().substring(NodeContract.LEASE_PREFIX.length()))
                        : Set.of())
                .build(), context);
        return List.of(nodes, leases);
    }

    /** The VMs a change of NODE may affect: those placed on it and those still looking for one. */
    private static Set<ResourceID> concerned(IndexerResourceCache<VirtualMachine> vms, String node) {
        return vms.list(vm -> VmReconciliation.currentNode(vm).map(node::equals).orElse(true))
                .map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    @Override
    public UpdateControl<VirtualMachine> reconcile(VirtualMachine vm, Context<VirtualMachine> context) {
        VmDecision decision = decide(vm, context);
        return UpdateControl.<VirtualMachine>noUpdate().rescheduleAfter(decision.recheckAfter());
    }

    @Override
    public DeleteControl cleanup(VirtualMachine vm, Context<VirtualMachine> context) {
        VmDecision decision = decide(vm, context);
        return decision.releaseFinalizer() ? DeleteControl.defaultDelete()
                : DeleteControl.noFinalizerRemoval().rescheduleAfter(decision.recheckAfter().toMillis());
    }

    private VmDecision decide(VirtualMachine vm, Context<VirtualMachine> context) {
        VmDecision decision = logic.reconcile(vm, view(context));
        KubernetesClient client = context.getClient();
        // Status first: status.nodeName is the record of placement, the label its mirror.
        writeStatus(vm, decision.status(), client);
        recordPlacement(vm, decision.node(), client);
        return decision;
    }

    private ClusterView view(Context<VirtualMachine> context) {
        var retriever = context.eventSourceRetriever();
        InformerEventSource<Node, VirtualMachine> nodes =
                (InformerEventSource<Node, VirtualMachine>) retriever.getEventSourceFor(Node.class, NODES);
        InformerEventSource<Lease, VirtualMachine> leases =
                (InformerEventSource<Lease, VirtualMachine>) retriever.getEventSourceFor(Lease.class, LEASES);
        return new InformerClusterView(() -> nodes.list(n -> true).toList(), () -> leases.list(l -> true).toList(),
                context.getPrimaryCache(), ledger, clock);
    }

    private void recordPlacement(VirtualMachine vm, Optional<String> node, KubernetesClient client) {
        Optional<String> labelled = Optional.ofNullable(vm.getMetadata().getLabels()).map(l -> l.get(NodeContract.NODE_LABEL));
        Optional<String> wanted = node.map(NodeContract::nodeLabelValue);
        if (labelled.equals(wanted) || vm.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        String ns = vm.getMetadata().getNamespace();
        String name = vm.getMetadata().getName();
        node.ifPresentOrElse(n -> ledger.record(ns, name, n, VmDemands.of(vm)), () -> ledger.forget(ns, name));
        // A merge patch of the one label, with no resourceVersion: it cannot conflict with spec edits.
        Map<String, Object> labels = new HashMap<>();
        labels.put(NodeContract.NODE_LABEL, wanted.orElse(null));
        client.resources(VirtualMachine.class).inNamespace(ns).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("metadata", Map.of("labels", labels))));
        new VmEvents(client, clock).record(vm, node.isEmpty(), node.isPresent() ? "Scheduled" : "Unplaced",
                node.map(n -> "placed on node " + n).orElseGet(() -> "taken off its node"));
    }

    /** Server-side apply of the operator's part of status; status.agent stays the agent's. */
    private void writeStatus(VirtualMachine vm, VirtualMachineStatus status, KubernetesClient client) {
        VirtualMachineStatus previous = vm.getStatus();
        if (previous != null && sameOperatorFields(previous, status)) {
            return;
        }
        VirtualMachine patch = new VirtualMachine();
        patch.getMetadata().setName(vm.getMetadata().getName());
        patch.getMetadata().setNamespace(vm.getMetadata().getNamespace());
        patch.setStatus(status);
        patch.setSpec(null);
        client.resources(VirtualMachine.class).inNamespace(vm.getMetadata().getNamespace())
                .withName(vm.getMetadata().getName()).subresource("status")
                .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY)
                        .withFieldManager(FIELD_MANAGER).withForce(true).build(), patch);
        VirtualMachineStatus.Phase before = previous == null ? null : previous.phase;
        if (before != status.phase) {
            // Ready says why, where there is one; a VM settled without a running guest has none,
            // and Reconciling, always there, then names the state it settled in.
            Condition why = condition(status, VirtualMachineStatus.CONDITION_READY)
                    .orElseGet(() -> condition(status, VmStatusBuilder.RECONCILING).orElseThrow());
            boolean bad = status.phase == VirtualMachineStatus.Phase.FAILED;
            new VmEvents(client, clock).record(vm, bad, why.getReason(),
                    "phase " + (before == null ? "none" : before) + " -> " + status.phase + ": " + why.getMessage());
        }
    }

    private static Optional<Condition> condition(VirtualMachineStatus status, String type) {
        return status.conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    private static boolean sameOperatorFields(VirtualMachineStatus previous, VirtualMachineStatus next) {
        ObjectMapper json = Serialization.jsonMapper();
        VirtualMachineStatus withoutAgent = json.convertValue(previous, VirtualMachineStatus.class);
        withoutAgent.agent = null;
        return json.valueToTree(withoutAgent).equals(json.valueToTree(next));
    }
}
