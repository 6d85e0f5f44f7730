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
import io.jvmm.agent.console.ConsoleClient;
import io.jvmm.agent.console.ConsoleRequest;
import io.jvmm.agent.console.ConsoleServer;
import io.jvmm.agent.console.ConsoleTestPki;
import io.jvmm.agent.console.ConsoleTls;
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
 * test namespace, and {@link TestVms#vmm} as its VMM (bin/jvmm in the KVM sandbox, QEMU in
 * software emulation elsewhere).
 */
public final class AgentInCluster implements AutoCloseable {
  public static final String SERVICE_ACCOUNT = "jvmm-node-agent";

  private final KubernetesClient admin;
  /** Where the agent's service account and its Lease are. */
  private final String namespace;
  public final String node;
  public final Path stateRoot;
  private final Path dir;
  private final NodeFacts facts;
  private KubernetesClient client;
  NodeAgent agent;
  ConsoleServer consoles;
  NodePublisher publisher;

  AgentInCluster(ClusterNamespace ns, Path dir, NodeFacts facts) throws Exception {
    // A label value (jvmm.io/node) holds at most 63 characters; test namespaces are longer.
    this(ns.client(), ns.name(), "sim-" + Integer.toHexString(ns.name().hashCode()), dir, facts, rbacIn(ns));
  }

  /**
   * An agent for a new Node {@code node}, as the service account jvmm-node-agent of
   * {@code namespace} (whose RBAC is installed already), its Lease in that namespace and its
   * state under {@code dir}; it reports {@code facts} for its node (simulated: no KVM, little room...).
   */
  public AgentInCluster(KubernetesClient admin, String namespace, String node, Path dir, NodeFacts facts)
      throws Exception {
    this(admin, namespace, node, dir, facts, true);
  }

  private AgentInCluster(KubernetesClient admin, String namespace, String node, Path dir, NodeFacts facts,
      boolean rbacReady) throws Exception {
    this.admin = admin;
    this.namespace = namespace;
    this.dir = dir;
    this.facts = facts;
    this.node = node;
    this.stateRoot = dir.resolve("vms");
    Files.createDirectories(dir);
    admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build()).create();
    start();
  }

  private static boolean rbacIn(ClusterNamespace ns) throws Exception {
    // The VirtualMachine CRD is the crds module's; while the API server refuses it (CEL cost
    // budget) nothing here can run. Say so instead of failing on a 404 from the informer.
    org.junit.jupiter.api.Assumptions.assumeTrue(ns.controlPlane().refusedCrds().isEmpty(),
        () -> "the API server refused the project's CRDs, so the agent has nothing to watch: "
            + ns.controlPlane().refusedCrds());
    installRbac(ns);
    return true;
  }

  /** deploy/rbac/node-agent.yaml, moved from jvmm-system to the test's namespace. */
  public static void installRbac(ClusterNamespace ns) throws Exception {
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
    return clientAs(ns.client(), ns.name(), serviceAccount);
  }

  /** A client that authenticates as the service account {@code namespace/serviceAccount}. */
  public static KubernetesClient clientAs(KubernetesClient admin, String namespace, String serviceAccount) {
    return new KubernetesClientBuilder().withConfig(configAs(admin, namespace, token(admin, namespace, serviceAccount)))
        .build();
  }

  public static String token(ClusterNamespace ns, String serviceAccount) {
    return token(ns.client(), ns.name(), serviceAccount);
  }

  /** A fresh token (an hour) of the service account {@code namespace/serviceAccount}. */
  public static String token(KubernetesClient admin, String namespace, String serviceAccount) {
    return admin.serviceAccounts().inNamespace(namespace).withName(serviceAccount)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus().getToken();
  }

  static Config configAs(ClusterNamespace ns, String token) {
    return configAs(ns.client(), ns.name(), token);
  }

  private static Config configAs(KubernetesClient adminClient, String namespace, String token) {
    Config admin = adminClient.getConfiguration();
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(admin.getMasterUrl())
        .withCaCertData(admin.getCaCertData())
        .withCaCertFile(admin.getCaCertFile())
        .withOauthToken(token)
        .withNamespace(namespace)
        .build();
  }

  void start() throws Exception {
    client = clientAs(admin, namespace, SERVICE_ACCOUNT);
    AgentSettings settings = new AgentSettings(node, stateRoot, TestVms.vmm(dir).toString(),
        NodePathPolicy.allowing(TestVms.allowedRoots(dir)), Duration.ofSeconds(3),
        new RestartBackoff(Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofMinutes(10)),
        Duration.ofMillis(500), 64 * 1024);
    agent = new NodeAgent(settings, new KubernetesVmSource(client, node), new KubernetesStatusSink(client));
    agent.start();
    ConsoleTls tls = ConsoleTls.selfSigned(stateRoot.resolve(".tls"), node);
    consoles = new ConsoleServer(new InetSocketAddress("127.0.0.1", 0), ConsoleTestPki.shared().agentContext(tls),
        agent::console, node);
    publisher = new NodePublisher(client, node, namespace, Duration.ofSeconds(1), () -> facts,
        Map.of(NodeContract.CONSOLE_ENDPOINT_ANNOTATION, "127.0.0.1:" + consoles.port(),
            NodeContract.CONSOLE_CERT_ANNOTATION, tls.fingerprint()), Clock.systemUTC());
    publisher.start();
  }

  /** The agent process ends: connections close, VMMs keep running. */
  public void stop() {
    publisher.close();
    consoles.close();
    agent.close();
    client.close();
  }

  InetSocketAddress consoleEndpoint() {
    return new InetSocketAddress("127.0.0.1", consoles.port());
  }

  /** The VM's console, as the console API opens it (its client certificate, any server key). */
  ConsoleClient console(ConsoleRequest request) throws java.io.IOException {
    return ConsoleClient.remote(consoleEndpoint(), request, ConsoleTestPki.shared().clientIdentity(), null);
  }

  /**
   * The test's end: unlike a real agent's, the harness's VMMs must not outlive it. Kills every
   * VMM whose pid file is under this agent's state directory.
   */
  @Override
  public void close() throws Exception {
    stop();
    admin.nodes().withName(node).delete();
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
