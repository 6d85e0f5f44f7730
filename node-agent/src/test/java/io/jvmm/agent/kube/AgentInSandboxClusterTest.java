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
import io.jvmm.testkit.GuestReport;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProcessOutcome;
import io.jvmm.testkit.SandboxTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * A real node: the agent runs inside the KVM sandbox against the test control plane on this
 * host ({@link AgentInSandbox}: reached at 10.0.2.2, TLS verified), as the service account of
 * deploy/rbac/node-agent.yaml, and boots a VM applied on the host with bin/jvmm on KVM.
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
    AgentInSandbox agent = AgentInSandbox.start(sandbox.withTimeout(Duration.ofMinutes(10)), ns.controlPlane(),
        AgentInCluster.token(ns, AgentInCluster.SERVICE_ACCOUNT), node, ns.name(), image, null,
        List.of("--heartbeat", "2"));
    ProcessOutcome outcome = null;
    try {
      // The agent's heartbeat crosses from the sandbox: it is connected, TLS verified.
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() ->
          ns.client().resources(Lease.class).inNamespace(ns.name()).withName(NodeContract.LEASE_PREFIX + node)
              .get() != null);
      // The DaemonSet's probes: the agent's loop runs and its Lease is current.
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() ->
          agent.sh("curl -sf http://127.0.0.1:7444/readyz").output().strip().equals("ok"));
      assertThat(agent.sh("curl -sf http://127.0.0.1:7444/healthz").output().strip()).isEqualTo("ok");

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
      }, a -> a != null && (a.state == VmmState.STOPPED || a.state == VmmState.FAILED));
      String console = agent.sh("cat " + AgentInSandbox.stateDir(ns.name(), "guest") + "/serial.log").output();
      assertThat(stopped.state).as("%s\nlog tail: %s", stopped.message, stopped.logTail).isEqualTo(VmmState.STOPPED);
      assertThat(stopped.exitCode).isZero();
      assertThat(stopped.nodeName).isEqualTo(node);
      GuestReport guest = GuestReport.parse(console);
      assertThat(guest.ready()).as(console).isTrue();
      assertThat(guest.cpusOnline()).isEqualTo(2);
    } finally {
      outcome = agent.finish();
      System.out.println(outcome);
      ns.client().nodes().withName(node).delete();
    }
  }
}
