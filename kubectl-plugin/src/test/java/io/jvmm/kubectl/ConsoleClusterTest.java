package io.jvmm.kubectl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.jvmm.agent.VmKey;
import io.jvmm.agent.console.ConsoleHub;
import io.jvmm.agent.console.ConsoleServer;
import io.jvmm.agent.console.ConsoleTls;
import io.jvmm.agent.kube.KubernetesConsoleAuthorizer;
import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus;
import io.jvmm.domain.ManifestYaml;
import io.jvmm.testkit.ProjectRoot;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/kubectl-vm console against the node agent's own console server (TLS with its self-signed
 * key, the Kubernetes authorizer asking the real API server), a console hub on a fake VMM
 * socket, and a TCP relay between them that the test cuts to drop the connection.
 */
@KubeClusterTest
class ConsoleClusterTest {
  @TempDir
  Path dir;

  @Test
  void pipesBothWaysReconnectsAfterADropAndIsRefusedWithoutRbac(ClusterNamespace ns) throws Exception {
    String node = "console-" + Integer.toHexString(ns.name().hashCode());
    String suffix = "-" + ns.name();
    Path socket = dir.resolve("console.sock");
    ConsoleTls tls = ConsoleTls.selfSigned(dir.resolve("tls"), node);
    try (ServerSocketChannel vmm = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
         ConsoleHub hub = new ConsoleHub(ns.name() + "/shell", null, 64 * 1024)) {
      vmm.bind(UnixDomainSocketAddress.of(socket));
      hub.connect(socket, Duration.ofSeconds(10));
      try (SocketChannel guest = vmm.accept();
           ConsoleServer server = new ConsoleServer(new InetSocketAddress("127.0.0.1", 0), tls.context(),
               new KubernetesConsoleAuthorizer(ns.client()),
               (key, serial) -> key.equals(new VmKey(ns.name(), "shell")) ? Optional.of(hub) : Optional.empty(), node);
           Relay relay = new Relay(server.port())) {
        ns.client().nodes().resource(new NodeBuilder().withNewMetadata().withName(node)
            .addToAnnotations(NodeContract.CONSOLE_ENDPOINT_ANNOTATION, "127.0.0.1:" + relay.port())
            .addToAnnotations(NodeContract.CONSOLE_CERT_ANNOTATION, tls.fingerprint())
            .endMetadata().build()).create();
        VirtualMachine vm = ManifestYaml.read(Files.readAllBytes(ProjectRoot.path().resolve("examples/seed-vm.yaml")));
        vm.getMetadata().setName("shell");
        ns.client().resource(vm).create();
        VirtualMachine placed = ns.client().resources(VirtualMachine.class).withName("shell").get();
        placed.setStatus(new VirtualMachineStatus());
        placed.getStatus().nodeName = node;
        ns.client().resource(placed).updateStatus();

        // The console's users: read VMs and Nodes; "typist" may also get virtualmachines/console.
        grantReaders(ns, suffix, "typist", "nobody");
        ClusterRole console = consoleRole(ns);
        console.getMetadata().setName(console.getMetadata().getName() + suffix);
        ns.client().resource(console).create();
        ns.client().rbac().roleBindings().resource(new RoleBindingBuilder().withNewMetadata().withName("typist-console")
            .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
            .withName(console.getMetadata().getName()).endRoleRef().addNewSubject().withKind("ServiceAccount")
            .withName("typist").withNamespace(ns.name()).endSubject().build()).create();
        Path typist = PluginRun.tokenKubeconfig(ns, "typist", dir);
        Path nobody = PluginRun.tokenKubeconfig(ns, "nobody", dir);

        guest.write(utf8("boot messages\nlogin: "));
        Process plugin = start(typist, "console", "--linger", "500ms", "shell");
        Output out = new Output(plugin.getInputStream());
        Output err = new Output(plugin.getErrorStream());
        try {
          await().atMost(Duration.ofSeconds(60)).until(() -> out.text().contains("login: "));
          assertThat(err.text()).contains("Connected to VM " + ns.name() + "/shell");
          OutputStream keys = plugin.getOutputStream();
          keys.write(utf8bytes("root\n"));
          keys.flush();
          assertThat(readFromGuest(guest, 5)).isEqualTo("root\n");
          guest.write(utf8("# "));
          await().atMost(Duration.ofSeconds(30)).until(() -> out.text().endsWith("# "));

          relay.cut();
          await().atMost(Duration.ofSeconds(60)).until(() -> err.text().contains("Connected again"));
          assertThat(err.text()).contains("Connection to the console lost");
          guest.write(utf8("after the drop\n"));
          await().atMost(Duration.ofSeconds(30)).until(() -> out.text().contains("after the drop\n"));
          // The scroll-back the agent sends again is not shown twice.
          assertThat(out.text()).isEqualTo("boot messages\nlogin: # after the drop\n");
          keys.write(utf8bytes("uptime\n"));
          keys.flush();
          assertThat(readFromGuest(guest, 7)).isEqualTo("uptime\n");

          keys.close();
          assertThat(plugin.waitFor(60, TimeUnit.SECONDS)).isTrue();
          assertThat(plugin.exitValue()).as(err.text()).isZero();
        } finally {
          plugin.destroyForcibly();
        }

        Process refused = start(nobody, "console", "shell");
        Output refusedErr = new Output(refused.getErrorStream());
        new Output(refused.getInputStream());
        assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.exitValue()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> refusedErr.text().contains("error:"));
        assertThat(refusedErr.text()).contains("error: the node agent refused the console: user \""
            + PluginRun.user(ns, "nobody") + "\" may not get virtualmachines/console of " + ns.name() + "/shell");

        // The admin kubeconfig authenticates with a client certificate: nothing the agent can check.
        PluginRun certificate = PluginRun.run(ns, "console", "shell");
        assertThat(certificate.exitCode()).isEqualTo(1);
        assertThat(certificate.stderr()).startsWith("error: the kubeconfig's user authenticates with a client"
            + " certificate");

        PluginRun missing = PluginRun.run(typist, null, "console", "absent");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr().strip())
            .isEqualTo("Error from server (NotFound): virtualmachines.jvmm.io \"absent\" not found");
      }
    }
  }

  /** The ClusterRole deploy/rbac/node-agent.yaml ships for people who need consoles. */
  private static ClusterRole consoleRole(ClusterNamespace ns) throws Exception {
    try (InputStream in = Files.newInputStream(ProjectRoot.path().resolve("deploy/rbac/node-agent.yaml"))) {
      for (HasMetadata item : ns.client().load(in).items()) {
        if (item instanceof ClusterRole role && role.getMetadata().getName().equals("jvmm-vm-console")) {
          return role;
        }
      }
    }
    throw new IllegalStateException("deploy/rbac/node-agent.yaml has no ClusterRole jvmm-vm-console");
  }

  private static void grantReaders(ClusterNamespace ns, String suffix, String... accounts) {
    ns.client().resource(new ClusterRoleBuilder().withNewMetadata().withName("vm-and-node-reader" + suffix).endMetadata()
        .addNewRule().withApiGroups("jvmm.io").withResources("virtualmachines").withVerbs("get", "list").endRule()
        .addNewRule().withApiGroups("").withResources("nodes").withVerbs("get").endRule().build()).create();
    var binding = new ClusterRoleBindingBuilder().withNewMetadata().withName("vm-and-node-reader" + suffix)
        .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
        .withName("vm-and-node-reader" + suffix).endRoleRef();
    for (String account : accounts) {
      binding.addNewSubject().withKind("ServiceAccount").withName(account).withNamespace(ns.name()).endSubject();
    }
    ns.client().resource(binding.build()).create();
  }

  private static Process start(Path kubeconfig, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(ProjectRoot.bin("kubectl-vm").toString(),
        "--kubeconfig=" + kubeconfig));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).start();
  }

  private static String readFromGuest(SocketChannel guest, int bytes) throws Exception {
    ByteBuffer typed = ByteBuffer.allocate(bytes);
    while (typed.hasRemaining()) {
      if (guest.read(typed) < 0) {
        break;
      }
    }
    return new String(typed.array(), 0, typed.position(), StandardCharsets.UTF_8);
  }

  private static ByteBuffer utf8(String s) {
    return ByteBuffer.wrap(utf8bytes(s));
  }

  private static byte[] utf8bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Everything a process wrote on one of its streams, collected by a thread. */
  static final class Output {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Output(InputStream in) {
      Thread t = new Thread(() -> {
        byte[] buffer = new byte[4096];
        try {
          for (int n; (n = in.read(buffer)) > 0; ) {
            synchronized (bytes) {
              bytes.write(buffer, 0, n);
            }
          }
        } catch (java.io.IOException e) {
          // the process ended
        }
      }, "process-output");
      t.setDaemon(true);
      t.start();
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
