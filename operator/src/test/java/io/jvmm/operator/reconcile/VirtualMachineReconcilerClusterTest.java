package io.jvmm.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.cluster.KubeControlPlane;
import io.jvmm.cluster.ThirdPartyJudges;
import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus.Phase;
import io.jvmm.domain.ManifestYaml;
import io.jvmm.operator.JvmmOperator;
import io.jvmm.operator.OperatorInCluster;
import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator as a local process against a real kube-apiserver, with nodes whose agents the
 * test plays ({@link SimulatedNode}).  The operator acts as its own service account with only
 * the rights deploy/rbac/operator.yaml grants, so these tests also prove that RBAC sufficient.
 * Each test labels its nodes and selects them, so that tests sharing the control plane do not
 * place VMs on each other's nodes.
 */
@KubeClusterTest
class VirtualMachineReconcilerClusterTest {
    private static final String AGENTS = OperatorInCluster.SYSTEM_NAMESPACE;
    private static final long GIB = 1L << 30;
    private static OperatorInCluster operator;
    private static KubernetesClient admin;

    @BeforeAll
    static void startOperator(KubeControlPlane plane) throws IOException {
        admin = plane.newClient("default");
        operator = OperatorInCluster.start(plane, List.of("/var/lib/jvmm"));
    }

    @AfterAll
    static void stopOperator() {
        operator.close();
        admin.close();
    }

    private static VirtualMachine vm(ClusterNamespace ns, String name, int vcpus, String memory) {
        VirtualMachine vm = manifest("""
                apiVersion: jvmm.io/v1alpha1
                kind: VirtualMachine
                metadata:
                  name: %s
                spec:
                  memory: %s
                  vcpu: %d
                  os:
                    arch: x86_64
                    machine: q35
                    kernel: /var/lib/jvmm/images/vmlinuz
                    cmdline: console=ttyS0
                  features:
                    acpi: true
                  nodeSelector:
                    jvmm.io/test: %s
                """.formatted(name, memory, vcpus, ns.name()));
        return ns.client().resource(vm).create();
    }

    /** Node names of one test, unique across the run: namespace names end in a random suffix. */
    private static String shortName(ClusterNamespace ns, String suffix) {
        return "n" + ns.name().substring(ns.name().length() - 4) + "-" + suffix; // "n": the tail may start with a dash
    }

    private static void patchSpec(ClusterNamespace ns, String name, String specJson) {
        ns.client().resources(VirtualMachine.class).withName(name)
                .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                        "{\"spec\":" + specJson + "}");
    }

    private static VirtualMachine manifest(String yaml) {
        try {
            return ManifestYaml.read(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (io.jvmm.domain.InvalidVirtualMachineException e) {
            throw new AssertionError(e);
        }
    }

    private static VirtualMachine fetch(ClusterNamespace ns, String name) {
        return ns.client().resources(VirtualMachine.class).withName(name).get();
    }

    private static Condition condition(VirtualMachine vm, String type) {
        return vm.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }

    private static void awaitPhase(ClusterNamespace ns, String name, Phase phase) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            VirtualMachine vm = fetch(ns, name);
            assertThat(vm.getStatus()).as("status of %s", name).isNotNull();
            assertThat(vm.getStatus().phase).as("phase of %s: %s", name, vm.getStatus().conditions).isEqualTo(phase);
        });
    }

    @Test
    void theOperatorHoldsTheLeaderLease() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(admin.leases().inNamespace(AGENTS).withName(JvmmOperator.LEADER_LEASE).get())
                        .isNotNull()
                        .satisfies(lease -> assertThat(lease.getSpec().getHolderIdentity()).isNotBlank()));
    }

    @Test
    void aValidVmIsPlacedAndBecomesReadyWhenItsAgentRunsIt(ClusterNamespace ns) {
        SimulatedNode node = new SimulatedNode(admin, shortName(ns, "a"), AGENTS, ns.name(), true, 8, 8 * GIB);
        VirtualMachine vm = vm(ns, "web", 2, "1GiB");

        awaitPhase(ns, "web", Phase.SCHEDULED);
        // The node label is a metadata write of its own, beside the status: it may land a moment later.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            VirtualMachine placed = fetch(ns, "web");
            assertThat(placed.getMetadata().getLabels()).containsEntry(NodeContract.NODE_LABEL,
                    NodeContract.nodeLabelValue(node.name()));
            assertThat(placed.getMetadata().getFinalizers()).contains(NodeContract.VMM_FINALIZER);
            assertThat(placed.getStatus().nodeName).isEqualTo(node.name());
        });

        node.report(vm, VmmState.RUNNING, "running");

        awaitPhase(ns, "web", Phase.RUNNING);
        VirtualMachine running = fetch(ns, "web");
        assertThat(condition(running, "Ready").getStatus()).isEqualTo("True");
        assertThat(running.getStatus().qmpStatus).isEqualTo("running");
        assertThat(running.getStatus().agent.state).as("the agent's report is left alone").isEqualTo(VmmState.RUNNING);
        assertThat(ns.client().v1().events().list().getItems())
                .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Running"));
    }

    @Test
    void pausedAndStoppedAreSettledStates(ClusterNamespace ns) {
        SimulatedNode node = new SimulatedNode(admin, shortName(ns, "a"), AGENTS, ns.name(), true, 8, 8 * GIB);
        VirtualMachine vm = vm(ns, "db", 1, "512MiB");
        awaitPhase(ns, "db", Phase.SCHEDULED);

        patchSpec(ns, "db", "{\"runState\":\"Paused\"}");
        node.report(vm, VmmState.PAUSED, "paused");
        awaitPhase(ns, "db", Phase.PAUSED);
        assertThat(condition(fetch(ns, "db"), "Paused").getStatus()).isEqualTo("True");
        assertThat(condition(fetch(ns, "db"), "Reconciling").getStatus()).isEqualTo("False");
        assertThat(ThirdPartyJudges.kstatus(fetch(ns, "db")).status()).as("kstatus of the paused VM").isEqualTo("Current");

        patchSpec(ns, "db", "{\"runState\":\"Stopped\"}");
        node.report(vm, VmmState.STOPPED, "shutdown");
        awaitPhase(ns, "db", Phase.STOPPED);
        VirtualMachine stopped = fetch(ns, "db");
        assertThat(stopped.getStatus().conditions).as("no guest asked for: the Ready of the running VM went")
                .noneMatch(c -> c.getType().equals("Ready"));
        assertThat(condition(stopped, "Reconciling").getReason()).isEqualTo("Stopped");
        assertThat(condition(stopped, "Reconciling").getStatus()).isEqualTo("False");
        assertThat(condition(stopped, "Stalled").getStatus()).isEqualTo("False");
        assertThat(stopped.getStatus().observedGeneration).isEqualTo(stopped.getMetadata().getGeneration());
        assertThat(ThirdPartyJudges.kstatus(stopped).status()).as("kstatus of the stopped VM").isEqualTo("Current");
    }

    @Test
    void deletionWaitsForTheAgentToReportTheVmmGone(ClusterNamespace ns) {
        SimulatedNode node = new SimulatedNode(admin, shortName(ns, "a"), AGENTS, ns.name(), true, 8, 8 * GIB);
        VirtualMachine vm = vm(ns, "gone", 1, "512MiB");
        awaitPhase(ns, "gone", Phase.SCHEDULED);
        node.report(vm, VmmState.RUNNING, "running");
        awaitPhase(ns, "gone", Phase.RUNNING);

        ns.client().resources(VirtualMachine.class).withName("gone").delete();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> fetch(ns, "gone") != null);
        assertThat(fetch(ns, "gone").getStatus().phase).isEqualTo(Phase.STOPPING);

        node.report(vm, VmmState.ABSENT, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> fetch(ns, "gone") == null);
    }

    @Test
    void anInvalidVmGetsAllItsMessagesAndNoNode(ClusterNamespace ns) {
        new SimulatedNode(admin, shortName(ns, "a"), AGENTS, ns.name(), true, 8, 8 * GIB);
        VirtualMachine vm = manifest("""
                apiVersion: jvmm.io/v1alpha1
                kind: VirtualMachine
                metadata:
                  name: bad
                spec:
                  memory: 512MiB
                  vcpu: 1
                  os: {arch: x86_64, machine: q35, kernel: /etc/shadow-kernel}
                  features: {acpi: true}
                  devices:
                    disks:
                    - name: data
                      type: file
                      device: disk
                      source: {file: /home/user/disk.img}
                      target: {dev: vda, bus: virtio}
                """);
        ns.client().resource(vm).create();

        awaitPhase(ns, "bad", Phase.FAILED);
        VirtualMachine bad = fetch(ns, "bad");
        Condition ready = condition(bad, "Ready");
        assertThat(ready.getReason()).isEqualTo("InvalidSpec");
        assertThat(ready.getMessage()).contains("spec.os.kernel").contains("spec.devices.disks[0].source.file");
        assertThat(condition(bad, "Stalled").getStatus()).isEqualTo("True");
        assertThat(bad.getMetadata().getLabels()).doesNotContainKey(NodeContract.NODE_LABEL);
    }

    @Test
    void aVmThatFitsNowhereIsUnschedulableWithOneReasonPerNode(ClusterNamespace ns) {
        new SimulatedNode(admin, shortName(ns, "nokvm"), AGENTS, ns.name(), false, 64, 64 * GIB);
        new SimulatedNode(admin, shortName(ns, "small"), AGENTS, ns.name(), true, 2, 1 * GIB);
        vm(ns, "huge", 16, "32GiB");

        awaitPhase(ns, "huge", Phase.PENDING);
        Condition scheduled = condition(fetch(ns, "huge"), "Scheduled");
        assertThat(scheduled.getReason()).isEqualTo("Unschedulable");
        assertThat(scheduled.getMessage())
                .contains(shortName(ns, "nokvm") + ": no KVM")
                .contains(shortName(ns, "small") + ": needs 16 vCPUs, 2 of 2 free");
    }

    @Test
    void aLostNodeIsReportedAndTheVmMovesWhenItsPolicyAllows(ClusterNamespace ns) {
        SimulatedNode first = new SimulatedNode(admin, shortName(ns, "a"), AGENTS, ns.name(), true, 8, 16 * GIB);
        VirtualMachine pinned = vm(ns, "stay", 1, "512MiB");
        patchSpec(ns, "stay", "{\"restartPolicy\":\"Never\"}");
        VirtualMachine mobile = vm(ns, "move", 1, "512MiB");
        awaitPhase(ns, "stay", Phase.SCHEDULED);
        awaitPhase(ns, "move", Phase.SCHEDULED);
        first.report(pinned, VmmState.RUNNING, "running");
        first.report(mobile, VmmState.RUNNING, "running");

        SimulatedNode second = new SimulatedNode(admin, shortName(ns, "b"), AGENTS, ns.name(), true, 8, 8 * GIB);
        first.heartbeatAt(ZonedDateTime.now().minusMinutes(5));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(condition(fetch(ns, "stay"), "Ready").getReason()).isEqualTo("NodeLost"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(fetch(ns, "move").getMetadata().getLabels()).containsEntry(NodeContract.NODE_LABEL, NodeContract.nodeLabelValue(second.name())));
        assertThat(fetch(ns, "stay").getMetadata().getLabels()).containsEntry(NodeContract.NODE_LABEL, NodeContract.nodeLabelValue(first.name()));
    }
}
