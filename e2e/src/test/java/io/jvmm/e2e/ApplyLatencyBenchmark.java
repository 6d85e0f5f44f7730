package io.jvmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.cluster.KubeControlPlane;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus;
import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.SandboxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Time from `kubectl apply` of a VirtualMachine to its Ready condition, on the cluster of
 * {@link KvmCluster}: the operator schedules it on the KVM node, whose agent in the sandbox
 * starts bin/jvmm and reports it running. VMs are applied one after another (each deleted
 * before the next), so each measures an idle node. Ready is timed when the watch delivers it;
 * the guest's own ready marker (JVMM-GUEST-READY on its console, polled on the node every
 * second) is printed beside it. Prints a table; asserts only that every VM got there. The
 * sandbox is nested KVM on software emulation: compare figures only with figures taken the
 * same way. Run: bench/apply-latency.sh [VMS]
 */
@KubeClusterTest
@Tag("benchmark")
@ExtendWith(SandboxExtension.class)
class ApplyLatencyBenchmark {
  private static final int VMS = Integer.getInteger("jvmm.bench.vms", 10);
  private static final String NAMESPACE = "bench";

  @Test
  void applyToReady(KubeControlPlane plane, KvmSandbox sandbox, GuestImage image) throws Exception {
    Map<String, Long> readyAt = new ConcurrentHashMap<>();
    try (KvmCluster cluster = KvmCluster.start(plane, sandbox, image, NAMESPACE,
        List.of("--heartbeat", "5", "--reserve-vcpus", "0"))) {
      Watch watch = cluster.admin.resources(VirtualMachine.class).inNamespace(NAMESPACE).watch(new Watcher<>() {
        @Override
        public void eventReceived(Action action, VirtualMachine vm) {
          if (vm.getStatus() != null && vm.getStatus().conditions != null && vm.getStatus().conditions.stream()
              .anyMatch(c -> VirtualMachineStatus.CONDITION_READY.equals(c.getType()) && "True".equals(c.getStatus()))) {
            readyAt.putIfAbsent(vm.getMetadata().getName(), System.nanoTime());
          }
        }

        @Override
        public void onClose(WatcherException cause) {
        }
      });
      List<Long> ready = new ArrayList<>();
      List<Long> guest = new ArrayList<>();
      try (watch) {
        for (int i = 0; i < VMS; i++) {
          String name = "vm-" + i;
          long applied = System.nanoTime();
          cluster.kubectl.runWithStdin(cluster.manifest(name, 1, "128MiB", "Always"), "apply", "-f", "-").orThrow();
          await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
              .until(() -> readyAt.containsKey(name));
          ready.add((readyAt.get(name) - applied) / 1_000_000);
          await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
              .until(() -> cluster.consoleLog(name).contains("JVMM-GUEST-READY"));
          guest.add((System.nanoTime() - applied) / 1_000_000);
          System.out.printf("%s: Ready after %d ms, guest ready after about %d ms%n", name,
              ready.get(i), guest.get(i));
          cluster.kubectl.run("delete", "virtualmachine", name, "--wait=true", "--timeout=300s").orThrow();
        }
      }
      System.out.println("| apply to | VMs | P50 ms | P95 ms | min ms | max ms |");
      System.out.println("|---|---|---|---|---|---|");
      row("Ready (watch)", ready);
      row("guest ready marker (1 s polls)", guest);
      assertThat(ready).hasSize(VMS);
    }
  }

  private static void row(String what, List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    System.out.printf("| %s | %d | %d | %d | %d | %d |%n", what, sorted.size(), percentile(sorted, 50),
        percentile(sorted, 95), sorted.get(0), sorted.get(sorted.size() - 1));
  }

  /** Nearest-rank percentile of sorted values. */
  static long percentile(List<Long> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
