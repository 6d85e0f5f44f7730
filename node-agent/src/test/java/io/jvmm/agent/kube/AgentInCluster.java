package io.jvmm.agent.kube;

import io.jvmm.crds.v1alpha1.NodeContract;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jvmm.agent.AgentSettings;
import io.jvmm.agent.NodeAgent;
import io.jvmm.agent.TestVms;
import io.jvmm.agent.console.ConsoleServer;
import io.jvmm.agent.node.NodeFacts;
import io.jvmm.agent.node.NodePublisher;
import io.jvmm.agent.reconcile.RestartBackoff;
import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.domain.NodePathPolicy;
import io.jvmm.testkit.ProjectRoot;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A node agent on a simulated node of the test control plane, as a DaemonSet pod would run it:
 * with the service account and RBAC of deploy/rbac/node-agent.yaml (installed into the test's
 * namespace, cluster-scoped names suffixed with it), a Node object of its own, its Lease in the
 * test namespace, and QEMU (TCG) as its VMM.
 */
final class AgentInCluster implements AutoCloseable {
  static final String SERVICE_ACCOUNT = "jvmm-node-agent";

  final ClusterNamespace ns;
  final String node;
  final Path stateRoot;
  private final Path dir;
  private final NodeFacts facts;
  private KubernetesClient client;
  NodeAgent agent;
  ConsoleServer consoles;
  NodePublisher publisher;

  AgentInCluster(ClusterNamespace ns, Path dir, NodeFacts facts) throws Exception {
    this.ns = ns;
    this.dir = dir;
    this.facts = facts;
    // A label value (jvmm.io/node) holds at most 63 characters; test namespaces are longer.
    this.node = "sim-" + Integer.toHexString(ns.name().hashCode());
    this.stateRoot = dir.resolve("vms");
    // The VirtualMachine CRD is the crds module's; while the API server refuses it (CEL cost
    // budget) nothing here can run. Say so instead of failing on a 404 from the informer.
    org.junit.jupiter.api.Assumptions.assumeTrue(ns.controlPlane().refusedCrds().isEmpty(),
        () -> "the API server refused the project's CRDs, so the agent has nothing to watch: "
            + ns.controlPlane().refusedCrds());
    installRbac(ns);
    ns.client().nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build()).create();
    start();
  }

  /** deploy/rbac/node-agent.yaml, moved from jvmm-system to the test's namespace. */
  static void installRbac(ClusterNamespace ns) throws Exception {
    Path file = ProjectRoot.path().resolve("deploy/rbac/node-agent.yaml");
    String suffix = "-" + ns.name();
    try (InputStream in = Files.newInputStream(file)) {
      for (HasMetadata item : ns.client().load(in).items()) {
        if ("jvmm-system".equals(item.getMetadata().getNamespace())) {
          item.getMetadata().setNamespace(ns.name());
        }
        if (item.getMetadata().getNamespace() == null) {
          item.getMetadata().setName(item.getMetadata().getName() + suffix);
        }
        List<Subject> subjects = item instanceof ClusterRoleBinding crb ? crb.getSubjects()
            : item instanceof RoleBinding rb ? rb.getSubjects() : List.of();
        subjects.forEach(s -> s.setNamespace(ns.name()));
        if (item instanceof ClusterRoleBinding crb) {
          crb.getRoleRef().setName(crb.getRoleRef().getName() + suffix);
        }
        ns.client().resource(item).fieldManager("test").forceConflicts().serverSideApply();
      }
    }
  }

  /** A client that authenticates as the service account, with a fresh token. */
  static KubernetesClient clientAs(ClusterNamespace ns, String serviceAccount) {
    return new KubernetesClientBuilder().withConfig(configAs(ns, token(ns, serviceAccount))).build();
  }

  static String token(ClusterNamespace ns, String serviceAccount) {
    return ns.client().serviceAccounts().inNamespace(ns.name()).withName(serviceAccount)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus().getToken();
  }

  static Config configAs(ClusterNamespace ns, String token) {
    Config admin = ns.client().getConfiguration();
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(admin.getMasterUrl())
        .withCaCertData(admin.getCaCertData())
        .withCaCertFile(admin.getCaCertFile())
        .withOauthToken(token)
        .withNamespace(ns.name())
        .build();
  }

  void start() throws Exception {
    client = clientAs(ns, SERVICE_ACCOUNT);
    AgentSettings settings = new AgentSettings(node, stateRoot, TestVms.tcgVmm(dir).toString(),
        NodePathPolicy.allowing(TestVms.allowedRoots(dir)), Duration.ofSeconds(3),
        new RestartBackoff(Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofMinutes(10)),
        Duration.ofMillis(500), 64 * 1024);
    agent = new NodeAgent(settings, new KubernetesVmSource(client, node), new KubernetesStatusSink(client));
    agent.start();
    consoles = new ConsoleServer(new InetSocketAddress("127.0.0.1", 0), null,
        new KubernetesConsoleAuthorizer(client), agent::console, node);
    publisher = new NodePublisher(client, node, ns.name(), Duration.ofSeconds(1), () -> facts,
        Map.of(NodeContract.CONSOLE_ENDPOINT_ANNOTATION, "127.0.0.1:" + consoles.port()), Clock.systemUTC());
    publisher.start();
  }

  /** The agent process ends: connections close, VMMs keep running. */
  void stop() {
    publisher.close();
    consoles.close();
    agent.close();
    client.close();
  }

  InetSocketAddress consoleEndpoint() {
    return new InetSocketAddress("127.0.0.1", consoles.port());
  }

  /**
   * The test's end: unlike a real agent's, the harness's VMMs must not outlive it. Kills every
   * VMM whose pid file is under this agent's state directory.
   */
  @Override
  public void close() throws Exception {
    stop();
    ns.client().nodes().withName(node).delete();
    for (var state : io.jvmm.agent.vmm.StateDirectory.existing(stateRoot)) {
      var vmm = state.readPid().flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
      if (vmm.isPresent()) {
        vmm.get().destroyForcibly();
        // The launcher writes the exit status and a log line after the VMM: let it finish
        // before JUnit deletes the directory under it.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
            .until(() -> state.readExitStatus().isPresent());
        Thread.sleep(200);
      }
    }
  }
}
