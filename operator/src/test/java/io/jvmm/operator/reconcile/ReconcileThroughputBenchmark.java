package io.jvmm.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.cluster.KubeControlPlane;
import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus.Phase;
import io.jvmm.domain.ManifestYaml;
import io.jvmm.operator.JvmmOperator;
import io.jvmm.operator.OperatorSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Reconcile throughput: 1,000 VirtualMachines over 20 simulated nodes against the real API
 * server.  It prints the time until all are placed and until all are Ready after their agents
 * report them running; it asserts only that they got there.  Run: bench/operator-throughput.sh
 */
@KubeClusterTest
@Tag("benchmark")
class ReconcileThroughputBenchmark {
    private static final int VMS = Integer.getInteger("jvmm.bench.vms", 1000);
    private static final int NODES = 20;
    private static final String AGENTS = "jvmm-system";

    @Test
    void thousandVms(KubeControlPlane plane, ClusterNamespace ns) throws Exception {
        KubernetesClient admin = plane.newClient("default");
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(AGENTS).endMetadata().build()).serverSideApply();
        List<SimulatedNode> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            nodes.add(new SimulatedNode(admin, "bench-" + i, AGENTS, ns.name(), true, 64, 256L << 30));
        }
        Operator operator = JvmmOperator.create(admin, new OperatorSettings(AGENTS, List.of("/var/lib/jvmm"), List.of(), Optional.empty(), 0), () -> { });
        operator.start();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        // The simulated agents heartbeat as real ones do, or their nodes would be lost mid-run.
        var heartbeats = Executors.newSingleThreadScheduledExecutor();
        heartbeats.scheduleAtFixedRate(() -> nodes.forEach(SimulatedNode::heartbeat), 10, 10, java.util.concurrent.TimeUnit.SECONDS);
        try {
            long start = System.nanoTime();
            for (var created : pool.invokeAll(IntStream.range(0, VMS).<java.util.concurrent.Callable<Object>>mapToObj(i -> () ->
                    ns.client().resource(vm(ns, "vm-" + i)).create()).toList())) {
                created.get();
            }
            long created = System.nanoTime();
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1))
                    .conditionEvaluationListener(c -> { if (!c.isSatisfied() && c.getElapsedTimeInMS() % 30_000 < 1_000) histogram(ns); })
                    .until(() -> count(ns, Phase.SCHEDULED) == VMS);
            long scheduled = System.nanoTime();
            List<VirtualMachine> all = ns.client().resources(VirtualMachine.class).list().getItems();
            for (var reported : pool.invokeAll(all.stream().<java.util.concurrent.Callable<Object>>map(vm -> () -> {
                SimulatedNode node = nodes.stream().filter(n -> n.name().equals(vm.getStatus().nodeName)).findFirst().orElseThrow();
                node.report(vm, VmmState.RUNNING, "running");
                return null;
            }).toList())) {
                reported.get();
            }
            long reported = System.nanoTime();
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).until(() -> count(ns, Phase.RUNNING) == VMS);
            long ready = System.nanoTime();
            System.out.printf("%n| step | VMs | seconds | VMs/s |%n|---|---|---|---|%n");
            row("created by the client", VMS, start, created);
            row("first create -> all Scheduled (placed, labelled, status written; overlaps creation)", VMS, start, scheduled);
            row("agents reported -> all Running/Ready", VMS, reported, ready);
            assertThat(count(ns, Phase.RUNNING)).isEqualTo(VMS);
        } finally {
            pool.shutdownNow();
            heartbeats.shutdownNow();
            operator.stop();
            admin.close();
        }
    }

    private static void row(String step, int vms, long from, long to) {
        double seconds = (to - from) / 1e9;
        System.out.printf("| %s | %d | %.1f | %.0f |%n", step, vms, seconds, vms / seconds);
    }

    private static void histogram(ClusterNamespace ns) {
        var byPhase = ns.client().resources(VirtualMachine.class).list().getItems().stream()
                .collect(java.util.stream.Collectors.groupingBy(vm -> vm.getStatus() == null ? "none"
                        : vm.getStatus().phase + " " + vm.getStatus().conditions.stream()
                                .filter(c -> c.getType().equals("Ready")).map(c -> c.getReason()).findFirst().orElse(""),
                        java.util.stream.Collectors.counting()));
        System.out.println("phases: " + byPhase);
    }

    private static long count(ClusterNamespace ns, Phase phase) {
        return ns.client().resources(VirtualMachine.class).list().getItems().stream()
                .filter(vm -> vm.getStatus() != null && vm.getStatus().phase == phase).count();
    }

    private static VirtualMachine vm(ClusterNamespace ns, String name) throws Exception {
        return ManifestYaml.read("""
                apiVersion: jvmm.io/v1alpha1
                kind: VirtualMachine
                metadata: {name: %s}
                spec:
                  memory: 1GiB
                  vcpu: 1
                  os: {arch: x86_64, machine: q35, kernel: /var/lib/jvmm/images/vmlinuz}
                  features: {acpi: true}
                  nodeSelector: {jvmm.io/test: %s}
                """.formatted(name, ns.name()).getBytes(StandardCharsets.UTF_8));
    }
}
