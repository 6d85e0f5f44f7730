package io.jvmm.operator.reconcile;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus;
import java.time.ZonedDateTime;
import java.util.Map;

/**
 * A node whose agent the test plays: the Node object with what an agent publishes, its
 * heartbeat Lease, and the agent's reports in status.agent, written as the agent writes them.
 * These stand in for a kubelet-like component, as Keycloak's API-server tests use small fakes.
 */
final class SimulatedNode {
    private final KubernetesClient client;
    private final String name;
    private final String agentNamespace;

    SimulatedNode(KubernetesClient client, String name, String agentNamespace, String testLabel,
                  boolean kvm, int vcpus, long memoryBytes) {
        this.client = client;
        this.name = name;
        this.agentNamespace = agentNamespace;
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                .withLabels(Map.of(NodeContract.ARCH_LABEL, "x86_64", NodeContract.KVM_LABEL, Boolean.toString(kvm),
                        "jvmm.io/test", testLabel))
                .withAnnotations(Map.of(NodeContract.ALLOCATABLE_VCPUS_ANNOTATION, Integer.toString(vcpus),
                        NodeContract.ALLOCATABLE_MEMORY_ANNOTATION, Long.toString(memoryBytes)))
                .endMetadata().build()).create();
        heartbeat();
    }

    String name() {
        return name;
    }

    void heartbeat() {
        heartbeatAt(ZonedDateTime.now());
    }

    void heartbeatAt(ZonedDateTime time) {
        client.leases().inNamespace(agentNamespace).resource(new LeaseBuilder().withNewMetadata()
                .withName(NodeContract.LEASE_PREFIX + name).withNamespace(agentNamespace).endMetadata()
                .withNewSpec().withHolderIdentity(name).withLeaseDurationSeconds(40).withRenewTime(time).endSpec()
                .build()).serverSideApply();
    }

    void report(VirtualMachine vm, AgentStatus.VmmState state, String qmpStatus) {
        VirtualMachine current = client.resources(VirtualMachine.class).inNamespace(vm.getMetadata().getNamespace())
                .withName(vm.getMetadata().getName()).get();
        AgentStatus agent = new AgentStatus();
        agent.nodeName = name;
        agent.state = state;
        agent.qmpStatus = qmpStatus;
        agent.observedGeneration = current.getMetadata().getGeneration();
        VirtualMachine patch = new VirtualMachine();
        patch.getMetadata().setName(vm.getMetadata().getName());
        patch.getMetadata().setNamespace(vm.getMetadata().getNamespace());
        patch.setSpec(null);
        patch.setStatus(new VirtualMachineStatus());
        patch.getStatus().agent = agent;
        client.resources(VirtualMachine.class).inNamespace(vm.getMetadata().getNamespace())
                .withName(vm.getMetadata().getName()).subresource("status")
                .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY)
                        .withFieldManager(NodeContract.AGENT_FIELD_MANAGER).withForce(true).build(), patch);
    }

    void delete() {
        client.nodes().withName(name).delete();
    }
}
