package io.jvmm.agent.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.jvmm.agent.TestVms;
import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProcessOutcome;
import io.jvmm.testkit.ProjectRoot;
import io.jvmm.testkit.SandboxTest;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real node: the agent runs inside the KVM sandbox against the test control plane on this
 * host (reached at 10.0.2.2, the sandbox's view of this host's loopback), as the service
 * account of deploy/rbac/node-agent.yaml, and boots a VM applied on the host with bin/jvmm on
 * KVM. The API server's certificate names 127.0.0.1, not 10.0.2.2, so the agent's kubeconfig
 * skips TLS verification: acceptable for a test on one machine, never for a cluster.
 */
@KubeClusterTest
class AgentInSandboxClusterTest {

  @SandboxTest
  void anAgentOnKvmBootsAVmAppliedToTheCluster(ClusterNamespace ns, KvmSandbox sandbox, GuestImage image)
      throws Exception {
    Assumptions.assumeTrue(ns.controlPlane().refusedCrds().isEmpty(),
        () -> "the API server refused the project's CRDs: " + ns.controlPlane().refusedCrds());
    String node = "kvm-" + Integer.toHexString(ns.name().hashCode());
    AgentInCluster.installRbac(ns);
    ns.client().nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build()).create();
    try {
      URI server = URI.create(ns.client().getConfiguration().getMasterUrl());
      String kubeconfig = """
          apiVersion: v1
          kind: Config
          clusters:
          - name: host
            cluster:
              server: https://10.0.2.2:%d
              insecure-skip-tls-verify: true
          users:
          - name: agent
            user:
              token: %s
          contexts:
          - name: agent
            context: {cluster: host, user: agent, namespace: %s}
          current-context: agent
          """.formatted(server.getPort(), AgentInCluster.token(ns, AgentInCluster.SERVICE_ACCOUNT), ns.name());
      String root = ProjectRoot.path().toString();
      String vmDir = "$home/vms/" + ns.name() + "/guest";
      String script = String.join("\n",
          "set -u",
          "home=/tmp/jvmm-agent-k8s",
          "mkdir -p $home",
          "cat > $home/kubeconfig <<'KUBECONFIG'",
          kubeconfig + "KUBECONFIG",
          "timeout 420 " + root + "/bin/jvmm-agent --mode kubernetes --kubeconfig $home/kubeconfig --node " + node
              + " --namespace " + ns.name() + " --home $home --allow-root " + image.directory()
              + " --console-tls none --console-listen 127.0.0.1:0 --heartbeat 2 > $home/agent.log 2>&1 &",
          "agent=$!",
          "for i in $(seq 1 800); do",
          "  kill -0 $agent 2>/dev/null || break",
          "  grep -q 'exited with status' " + vmDir + "/vmm.log 2>/dev/null && break",
          "  sleep 0.5",
          "done",
          // Time for the agent to report Stopped before it goes.
          "sleep 8",
          "echo '--- console log'",
          "cat " + vmDir + "/serial.log",
          "echo '--- vmm log'",
          "cat " + vmDir + "/vmm.log",
          "echo '--- agent log'",
          "tail -20 $home/agent.log",
          "kill $agent 2>/dev/null; wait $agent",
          "exit 0",
          "");
      CompletableFuture<ProcessOutcome> inSandbox = CompletableFuture.supplyAsync(
          () -> sandbox.withTimeout(Duration.ofMinutes(8)).shell(script));

      // The agent's heartbeat crosses from the sandbox: it is connected.
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> inSandbox.isDone()
          || ns.client().resources(Lease.class).inNamespace(ns.name()).withName(NodeContract.LEASE_PREFIX + node)
          .get() != null);
      assertThat(inSandbox.isDone()).as("the sandbox ended early: %s", inSandbox.getNow(null)).isFalse();

      VirtualMachine vm = TestVms.guest(ns.name(), "guest");
      vm.getMetadata().setGeneration(null);
      vm.getMetadata().setLabels(Map.of(NodeContract.NODE_LABEL, node));
      vm.getSpec().os.cmdline = "console=ttyS0 quiet";
      vm.getSpec().vcpu = 2;
      vm.getSpec().restartPolicy = RestartPolicy.NEVER;
      ns.client().resource(vm).create();

      AgentStatus stopped = await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        VirtualMachine v = ns.client().resources(VirtualMachine.class).withName("guest").get();
        return v.getStatus() == null ? null : v.getStatus().agent;
      }, a -> a != null && (a.state == VmmState.STOPPED || a.state == VmmState.FAILED) || inSandbox.isDone());
      ProcessOutcome outcome = inSandbox.get(6, TimeUnit.MINUTES);
      assertThat(stopped).as(outcome.toString()).isNotNull();
      assertThat(stopped.state).as("%s\nlog tail: %s\n%s", stopped.message, stopped.logTail, outcome)
          .isEqualTo(VmmState.STOPPED);
      assertThat(stopped.exitCode).isZero();
      assertThat(stopped.nodeName).isEqualTo(node);
      assertThat(outcome.guest().ready()).as(outcome.toString()).isTrue();
      assertThat(outcome.guest().cpusOnline()).isEqualTo(2);
    } finally {
      ns.client().nodes().withName(node).delete();
    }
  }
}
