package io.jvmm.agent.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.jvmm.agent.ConsoleTranscript;
import io.jvmm.agent.TestVms;
import io.jvmm.agent.console.ConsoleClient;
import io.jvmm.agent.console.ConsoleRequest;
import io.jvmm.agent.node.NodeFacts;
import io.jvmm.agent.pki.CertificateAuthority;
import io.jvmm.agent.pki.Pem;
import io.jvmm.agent.node.NodePublisher;
import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against the real control plane, with its own RBAC: the operator's part (choosing
 * the node, the label, the finalizer) is done by the test. Its VMMs are jvmm on KVM: it runs in
 * the sandbox, by {@link io.jvmm.agent.AgentTestsOnJvmmSandboxTest}, against the host's control plane.
 */
@KubeClusterTest
@EnabledIfSystemProperty(named = TestVms.JVMM_PROPERTY, matches = "true")
class NodeAgentClusterTest {
  private static final Duration BOOT = Duration.ofSeconds(120);
  private static final NodeFacts FACTS = new NodeFacts("x86_64", true, 3, 4L << 30, List.of("0000:03:00.0"));

  @TempDir
  Path dir;

  private static Resource<VirtualMachine> vm(ClusterNamespace ns, String name) {
    return ns.client().resources(VirtualMachine.class).inNamespace(ns.name()).withName(name);
  }

  private static AgentStatus awaitAgent(ClusterNamespace ns, String name, Predicate<AgentStatus> condition) {
    return await().atMost(BOOT).pollInterval(Duration.ofMillis(250)).until(() -> {
      VirtualMachine v = vm(ns, name).get();
      return v == null || v.getStatus() == null ? null : v.getStatus().agent;
    }, a -> a != null && condition.test(a));
  }

  private static VirtualMachine scheduled(ClusterNamespace ns, AgentInCluster agent, String name) {
    VirtualMachine vm = TestVms.guest(ns.name(), name);
    vm.getMetadata().setGeneration(null);
    vm.getMetadata().setLabels(Map.of(NodeContract.NODE_LABEL, agent.node));
    // The operator adds the finalizer and removes it once the agent reports Absent.
    vm.getMetadata().setFinalizers(List.of(NodeContract.VMM_FINALIZER));
    return vm;
  }

  private static void setRunState(ClusterNamespace ns, String name, RunState state) {
    vm(ns, name).edit(v -> {
      v.getSpec().runState = state;
      return v;
    });
  }

  @Test
  void publishesItsNodeAndHeartbeat(ClusterNamespace ns) throws Exception {
    try (AgentInCluster agent = new AgentInCluster(ns, dir, FACTS)) {
      Lease lease = await().atMost(Duration.ofSeconds(30)).until(() -> ns.client().resources(Lease.class)
          .inNamespace(ns.name()).withName(NodeContract.LEASE_PREFIX + agent.node).get(), l -> l != null);
      assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(agent.node);
      var firstRenewal = lease.getSpec().getRenewTime();
      await().atMost(Duration.ofSeconds(10)).until(() -> !firstRenewal.equals(ns.client().resources(Lease.class)
          .inNamespace(ns.name()).withName(NodeContract.LEASE_PREFIX + agent.node).get().getSpec().getRenewTime()));

      Node node = await().atMost(Duration.ofSeconds(30)).until(() -> ns.client().nodes().withName(agent.node).get(),
          n -> n.getMetadata().getLabels() != null && n.getMetadata().getLabels().containsKey(NodeContract.ARCH_LABEL));
      assertThat(node.getMetadata().getLabels()).containsEntry(NodeContract.ARCH_LABEL, "x86_64")
          .containsEntry(NodeContract.KVM_LABEL, "true");
      assertThat(node.getMetadata().getAnnotations())
          .containsEntry(NodeContract.ALLOCATABLE_VCPUS_ANNOTATION, "3")
          .containsEntry(NodeContract.ALLOCATABLE_MEMORY_ANNOTATION, Long.toString(4L << 30))
          .containsEntry(NodeContract.PASSTHROUGH_DEVICES_ANNOTATION, "0000:03:00.0")
          .containsEntry(NodeContract.CONSOLE_ENDPOINT_ANNOTATION, "127.0.0.1:" + agent.consoles.port());

      // A VM this node may not run (its kernel outside the allowed roots) is Failed, with why,
      // and not retried whatever its restart policy.
      VirtualMachine outside = scheduled(ns, agent, "outside");
      outside.getMetadata().setFinalizers(null);
      outside.getSpec().os.kernel = "/etc/hostname";
      ns.client().resource(outside).create();
      AgentStatus refused = awaitAgent(ns, "outside", a -> a.state == VmmState.FAILED);
      assertThat(refused.message).contains("spec.os.kernel").contains("outside the allowed roots");
      assertThat(refused.pid).isNull();
      Thread.sleep(3000);
      assertThat(vm(ns, "outside").get().getStatus().agent.restarts).isZero();
      assertThat(vm(ns, "outside").get().getStatus().agent.state).isEqualTo(VmmState.FAILED);
    }
  }

  @Test
  void runsPausesRestartsAdoptsStopsAndDeletesAVm(ClusterNamespace ns) throws Exception {
    try (AgentInCluster agent = new AgentInCluster(ns, dir, FACTS)) {
      VirtualMachine unlabelled = TestVms.guest(ns.name(), "elsewhere");
      unlabelled.getMetadata().setGeneration(null);
      ns.client().resource(unlabelled).create();
      ns.client().resource(scheduled(ns, agent, "web")).create();

      AgentStatus running = awaitAgent(ns, "web", a -> a.state == VmmState.RUNNING && "running".equals(a.qmpStatus));
      assertThat(running.nodeName).isEqualTo(agent.node);
      assertThat(running.pid).isPositive();
      assertThat(running.observedGeneration).isEqualTo(1L);
      assertThat(running.startedAt).isNotBlank();
      await().atMost(BOOT).until(() -> Files.readString(agent.stateRoot.resolve(ns.name() + "/web/serial.log"))
          .contains("JVMM-GUEST-READY"));
      // Only VMs labelled for this node are its business.
      assertThat(vm(ns, "elsewhere").get().getStatus()).isNull();

      setRunState(ns, "web", RunState.PAUSED);
      AgentStatus paused = awaitAgent(ns, "web", a -> a.state == VmmState.PAUSED);
      assertThat(paused.qmpStatus).isEqualTo("paused");
      assertThat(paused.observedGeneration).isEqualTo(2L);
      setRunState(ns, "web", RunState.RUNNING);
      awaitAgent(ns, "web", a -> a.state == VmmState.RUNNING && "running".equals(a.qmpStatus));

      // The VMM dies: Failed with its status, then a restart (restartPolicy Always).
      ProcessHandle.of(running.pid).orElseThrow().destroyForcibly();
      AgentStatus failed = awaitAgent(ns, "web", a -> a.state == VmmState.FAILED);
      assertThat(failed.exitCode).isEqualTo(137);
      assertThat(failed.message).contains("137");
      AgentStatus restarted = awaitAgent(ns, "web", a -> a.state == VmmState.RUNNING && a.pid != null
          && !a.pid.equals(running.pid));
      assertThat(restarted.restarts).isEqualTo(1);

      // The agent restarts: the guest keeps running under the same VMM, its uptime growing.
      double uptimeBefore = guestUptime(agent, ns, "web");
      agent.stop();
      Thread.sleep(1000);
      assertThat(ProcessHandle.of(restarted.pid).map(ProcessHandle::isAlive)).contains(true);
      agent.start();
      Thread.sleep(2000);
      AgentStatus adopted = awaitAgent(ns, "web", a -> a.state == VmmState.RUNNING && "running".equals(a.qmpStatus));
      assertThat(adopted.pid).isEqualTo(restarted.pid);
      assertThat(adopted.restarts).isEqualTo(1);
      assertThat(adopted.startedAt).isEqualTo(restarted.startedAt);
      assertThat(guestUptime(agent, ns, "web")).isGreaterThan(uptimeBefore + 1);

      setRunState(ns, "web", RunState.STOPPED);
      AgentStatus stopped = awaitAgent(ns, "web", a -> a.state == VmmState.STOPPED);
      assertThat(stopped.pid).isNull();
      assertThat(ProcessHandle.of(restarted.pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();

      setRunState(ns, "web", RunState.RUNNING);
      AgentStatus again = awaitAgent(ns, "web", a -> a.state == VmmState.RUNNING && "running".equals(a.qmpStatus));
      // Started on purpose, not a restart after a failure.
      assertThat(again.restarts).isEqualTo(1);

      vm(ns, "web").delete();
      AgentStatus absent = awaitAgent(ns, "web", a -> a.state == VmmState.ABSENT);
      assertThat(absent.pid).isNull();
      assertThat(ProcessHandle.of(again.pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(agent.stateRoot.resolve(ns.name() + "/web")).doesNotExist();
      vm(ns, "web").edit(v -> {
        v.getMetadata().setFinalizers(List.of());
        return v;
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> vm(ns, "web").get() == null);
    }
  }

  @Test
  void theConsoleEndpointServesTheConsoleApiAlone(ClusterNamespace ns) throws Exception {
    try (AgentInCluster agent = new AgentInCluster(ns, dir, FACTS)) {
      VirtualMachine vm = scheduled(ns, agent, "shell");
      vm.getMetadata().setFinalizers(null);
      vm.getSpec().restartPolicy = RestartPolicy.NEVER;
      ns.client().resource(vm).create();
      awaitAgent(ns, "shell", a -> a.state == VmmState.RUNNING);

      // Whoever holds no certificate of the console client CA fails the TLS handshake, token or not.
      ConsoleRequest request = new ConsoleRequest(ns.name(), "shell", true, "system:serviceaccount:x:y");
      assertThatThrownBy(() -> ConsoleClient.remote(agent.consoleEndpoint(), request, null, null))
          .isInstanceOf(IOException.class).isNotInstanceOf(ConsoleClient.ConsoleRefusedException.class);
      CertificateAuthority.Issued forged = CertificateAuthority.create("jvmm-console-client-ca-test")
          .issueClient("jvmm-console-api");
      KeyManager[] stranger = Pem.keyManagers(forged.certificatePem(), forged.keyPem(), "a look-alike");
      assertThatThrownBy(() -> ConsoleClient.remote(agent.consoleEndpoint(), request, stranger, null))
          .isInstanceOf(IOException.class).isNotInstanceOf(ConsoleClient.ConsoleRefusedException.class);

      ConsoleClient console = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> agent.console(request), c -> c != null);
      try (console) {
        assertThat(console.isWriter()).isTrue();
        ConsoleTranscript transcript = new ConsoleTranscript(console);
        transcript.awaitText("JVMM-GUEST-READY", BOOT);
        assertThat(transcript.typeUntil("echo shell-$((7*6))", Pattern.compile("shell-(42)"), BOOT)).isEqualTo("42");
      }
      ConsoleRequest otherVm = new ConsoleRequest(ns.name(), "missing", true, "someone");
      assertThatThrownBy(() -> agent.console(otherVm))
          .hasMessageContaining("no VM " + ns.name() + "/missing runs on node " + agent.node);
      vm(ns, "shell").delete();
    }
  }

  /** Seconds since the guest booted, asked on its console (the shell the test guest keeps there). */
  private static double guestUptime(AgentInCluster agent, ClusterNamespace ns, String vm) throws Exception {
    ConsoleRequest request = new ConsoleRequest(ns.name(), vm, true, "watcher");
    ConsoleClient console = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> agent.console(request), c -> c != null);
    try (console) {
      ConsoleTranscript transcript = new ConsoleTranscript(console);
      // A fresh tag per question: the scroll-back holds the answers to earlier ones.
      String tag = "UP" + Long.toHexString(System.nanoTime());
      return Double.parseDouble(transcript.typeUntil("echo " + tag + "=$(cut -d' ' -f1 /proc/uptime)",
          Pattern.compile(tag + "=(\\d+\\.\\d+)"), BOOT));
    }
  }
}
