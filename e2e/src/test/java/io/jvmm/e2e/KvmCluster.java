package io.jvmm.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvmm.agent.kube.AgentInCluster;
import io.jvmm.agent.kube.AgentInSandbox;
import io.jvmm.agent.node.NodeFacts;
import io.jvmm.cluster.KubeControlPlane;
import io.jvmm.consoleapi.ConsoleApiInCluster;
import io.jvmm.cluster.Kubectl;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.operator.OperatorInCluster;
import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProcessOutcome;
import io.jvmm.testkit.ProjectRoot;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A cluster as a user meets it, on one machine: the test control plane with the project's
 * CRDs; the operator as a local process with its own RBAC; a node agent inside the KVM sandbox
 * as the real node {@value #KVM_NODE} (its VMs boot on bin/jvmm with KVM, its console endpoint
 * forwarded to this host); jvmm's console API behind the API server's aggregation layer, which
 * that agent serves consoles to; and agents outside it on simulated nodes, {@value #NO_KVM_NODE}
 * (no KVM) and {@value #SMALL_NODE} (1 vCPU, 64 MiB: too little for any test VM). Agents run as
 * the service account of deploy/rbac/node-agent.yaml, their Leases in jvmm-system, as a
 * DaemonSet's pods would.
 */
final class KvmCluster implements AutoCloseable {
  static final String KVM_NODE = "kvm-node";
  static final String NO_KVM_NODE = "no-kvm-node";
  static final String SMALL_NODE = "small-node";
  private static final long GIB = 1L << 30;
  /** The one emulator besides jvmm that this cluster's operator and node allow. */
  static final String QEMU = "/usr/bin/qemu-system-x86_64";

  private static List<String> withQemuAllowed(List<String> agentArgs) {
    List<String> args = new ArrayList<>(agentArgs);
    args.addAll(List.of("--allow-emulator", QEMU));
    return args;
  }

  final KubernetesClient admin;
  final Kubectl kubectl;
  final GuestImage image;
  final String namespace;
  private final List<AutoCloseable> open = new ArrayList<>();
  AgentInSandbox kvmNode;

  private KvmCluster(KubernetesClient admin, Kubectl kubectl, GuestImage image, String namespace) {
    this.admin = admin;
    this.kubectl = kubectl;
    this.image = image;
    this.namespace = namespace;
  }

  /**
   * Starts it all, VMs to live in {@code namespace}; {@code agentArgs} go to the sandbox's agent
   * (bin/jvmm-agent options). Give it a --heartbeat of 5 s or more: its Lease (four heartbeats)
   * must outlast the pauses of a JVM in nested software emulation on a loaded machine, or the
   * node flaps between alive and lost.
   */
  static KvmCluster start(KubeControlPlane plane, KvmSandbox sandbox, GuestImage image, String namespace,
      List<String> agentArgs) throws Exception {
    Assumptions.assumeTrue(plane.refusedCrds().isEmpty(),
        () -> "the API server refused the project's CRDs: " + plane.refusedCrds());
    KubernetesClient admin = plane.newClient(namespace);
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .serverSideApply();
    Kubectl kubectl = plane.kubectl(plane.writeKubeconfig(namespace, plane.workDir().resolve(namespace + ".kubeconfig")));
    KvmCluster cluster = new KvmCluster(admin, kubectl, image, namespace);
    try {
      // The shell VM runs on QEMU (shellManifest): the operator and the node list it, as a node
      // operator would; any other emulator is refused.
      cluster.open.add(OperatorInCluster.start(plane, List.of(image.directory().toString()), List.of(QEMU)));
      try (InputStream rbac = Files.newInputStream(ProjectRoot.path().resolve("deploy/rbac/node-agent.yaml"))) {
        admin.load(rbac).serverSideApply();
      }
      String agents = OperatorInCluster.SYSTEM_NAMESPACE;
      Path dir = Files.createTempDirectory("jvmm-e2e-");
      cluster.open.add(new AgentInCluster(admin, agents, NO_KVM_NODE, dir.resolve("no-kvm"),
          new NodeFacts("x86_64", false, 8, 8 * GIB, List.of())));
      cluster.open.add(new AgentInCluster(admin, agents, SMALL_NODE, dir.resolve("small"),
          new NodeFacts("x86_64", true, 1, GIB / 16, List.of())));
      // The kubelet registers Nodes; there is none, so the test does, as the agent expects. A
      // control plane shared with an earlier test class may still hold the last one, with its
      // labels: gone first, so that this node is known ready only once its own agent says so.
      admin.nodes().withName(KVM_NODE).withGracePeriod(0).delete();
      await().atMost(Duration.ofMinutes(1)).until(() -> admin.nodes().withName(KVM_NODE).get() == null);
      admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(KVM_NODE).endMetadata().build()).create();
      ConsoleApiInCluster consoleApi = ConsoleApiInCluster.start(admin);
      cluster.open.add(consoleApi);
      cluster.kvmNode = AgentInSandbox.start(sandbox.withTimeout(Duration.ofMinutes(45)), plane,
          AgentInCluster.token(admin, agents, AgentInCluster.SERVICE_ACCOUNT), KVM_NODE, agents, image,
          consoleApi.clientCaPem(), withQemuAllowed(agentArgs));
      // The node takes VMs once its agent has published what it offers. A JVM starting in the
      // sandbox (software emulation) takes a minute alone, many more beside other sandboxes.
      await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        var labels = admin.nodes().withName(KVM_NODE).get().getMetadata().getLabels();
        return labels != null && "true".equals(labels.get(NodeContract.KVM_LABEL));
      });
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * The guest that runs on bin/jvmm: the test image, which after its ready marker prints its
   * uptime on the serial console every 2 s ("UP=SECONDS"), so that a test can see it live on
   * without typing (a bin/jvmm guest does not take console input yet).
   */
  String manifest(String name, int vcpus, String memory, String restartPolicy) {
    return guestManifest(image, name, vcpus, memory, restartPolicy);
  }

  /** {@link #manifest} for any cluster whose nodes allow the guest image's directory. */
  static String guestManifest(GuestImage image, String name, int vcpus, String memory, String restartPolicy) {
    String loop = "while :; do echo \"UP=$(cut -d' ' -f1 /proc/uptime)\"; sleep 2; done";
    return manifest(image, name, vcpus, memory, restartPolicy, "console=ttyS0 quiet jvmm.cmd="
        + Base64.getEncoder().encodeToString(loop.getBytes(StandardCharsets.UTF_8)), null);
  }

  /** The test guest with a shell on its serial console, run by QEMU on the node's KVM. */
  String shellManifest(String name) {
    return manifest(image, name, 1, "256MiB", "Always", "console=ttyS0 quiet jvmm.shell=1",
        QEMU);
  }

  private static String manifest(GuestImage image, String name, int vcpus, String memory, String restartPolicy, String cmdline,
      String emulator) {
    return """
        apiVersion: jvmm.io/v1alpha1
        kind: VirtualMachine
        metadata:
          name: %s
        spec:
          memory: %s
          vcpu: %d
          restartPolicy: %s
        %s  os:
            arch: x86_64
            machine: q35
            kernel: %s
            initrd: %s
            cmdline: "%s"
          features:
            acpi: true
        """.formatted(name, memory, vcpus, restartPolicy, emulator == null ? "" : "  emulator: " + emulator + "\n",
        image.kernel(), image.initramfs(), cmdline);
  }

  /** What the guest printed on its serial port so far, read on the node. */
  String consoleLog(String name) {
    return kvmNode.sh("cat " + AgentInSandbox.stateDir(namespace, name) + "/serial.log 2>/dev/null; true").output();
  }

  @Override
  public void close() {
    if (kvmNode != null) {
      ProcessOutcome outcome = kvmNode.finish();
      System.out.println("the KVM node's sandbox: " + outcome);
    }
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        System.err.println("closing " + open.get(i) + ": " + e);
      }
    }
    admin.close();
  }
}
