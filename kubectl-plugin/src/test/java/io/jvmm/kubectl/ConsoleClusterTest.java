package io.jvmm.kubectl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.jvmm.agent.VmKey;
import io.jvmm.agent.console.ConsoleHub;
import io.jvmm.agent.console.ConsoleServer;
import io.jvmm.agent.console.ConsoleTls;
import io.jvmm.agent.pki.ReloadingCaTrust;
import io.jvmm.consoleapi.ConsoleApiInCluster;
import io.jvmm.crds.v1alpha1.ConsoleSubresources;
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
 * bin/kubectl-vm console through the real API server's aggregation layer: kube-apiserver
 * authenticates the user (a service account's token, the admin's client certificate, nobody at
 * all behind kubectl proxy) and proxies to jvmm's console API (ConsoleApiInCluster), which asks
 * for the RBAC permission again and relays over mutual TLS to the node agent's own console
 * server (its self-signed key, the console client CA the console API published), there a console
 * hub on a fake VMM socket. A TCP relay between the console API and the agent is cut to drop the
 * connection.
 */
@KubeClusterTest
class ConsoleClusterTest {
  @TempDir
  Path dir;

  @Test
  void throughTheApiServerForTokenCertificateAndProxyUsersAndOnlyWithThePermission(ClusterNamespace ns)
      throws Exception {
    String node = "console-" + Integer.toHexString(ns.name().hashCode());
    Path socket = dir.resolve("console.sock");
    ConsoleTls tls = ConsoleTls.selfSigned(dir.resolve("tls"), node);
    try (ConsoleApiInCluster api = ConsoleApiInCluster.start(ns.client());
         ServerSocketChannel vmm = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
         ConsoleHub hub = new ConsoleHub(ns.name() + "/shell", null, 64 * 1024)) {
      Path clientCa = Files.writeString(dir.resolve("console-client-ca.crt"), api.clientCaPem());
      vmm.bind(UnixDomainSocketAddress.of(socket));
      hub.connect(socket, Duration.ofSeconds(10));
      try (SocketChannel guest = vmm.accept();
           ConsoleServer server = new ConsoleServer(new InetSocketAddress("127.0.0.1", 0),
               tls.serverContext(new ReloadingCaTrust(clientCa)),
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

        // The console's users, with the ClusterRoles deploy/console-api/rbac.yaml ships: "typist" may
        // watch and type, "watcher" only watch, "nobody" neither. None may read VMs or Nodes.
        bind(ns, "typist", "jvmm-vm-console");
        bind(ns, "watcher", "jvmm-vm-console-viewer");
        Path typist = PluginRun.tokenKubeconfig(ns, "typist", dir);
        Path watcher = PluginRun.tokenKubeconfig(ns, "watcher", dir);
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

          // A second viewer, watch-only by permission, sees the same console and cannot type.
          PluginRun watching = PluginRun.run(watcher, "ignored keys\n", "console", "--read-only", "--linger",
              "500ms", "shell");
          assertThat(watching.exitCode()).as(watching.stderr()).isZero();
          assertThat(watching.stdout()).isEqualTo("boot messages\nlogin: # ");
          assertThat(watching.stderr()).contains("(read-only: another client types)");

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

        // The admin kubeconfig authenticates with a client certificate: the API server takes it.
        PluginRun certificate = PluginRun.run(ns.kubeconfig(), "echo hi\n", "console", "--linger", "500ms", "shell");
        assertThat(certificate.exitCode()).as(certificate.stderr()).isZero();
        assertThat(certificate.stdout()).startsWith("boot messages\nlogin: # after the drop\n");
        assertThat(readFromGuest(guest, 8)).isEqualTo("echo hi\n");

        // A client that types as soon as the WebSocket is open, before the reply: nothing is lost.
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.viewerCount() == 0); // the writer left
        typeAtOnce(ns, "shell", "early\n");
        assertThat(readFromGuest(guest, 6)).isEqualTo("early\n");

        // kubectl proxy holds the credentials; the plugin's kubeconfig has none.
        Process proxy = new ProcessBuilder(ns.controlPlane().binaries().kubectl().toString(),
            "--kubeconfig=" + ns.kubeconfig(), "proxy", "--port=0").redirectErrorStream(true).start();
        try {
          Output proxyOut = new Output(proxy.getInputStream());
          await().atMost(Duration.ofSeconds(30)).until(() -> proxyOut.text().contains("Starting to serve on"));
          String at = proxyOut.text().replaceAll("(?s).*Starting to serve on ([0-9.:]+).*", "$1");
          Path proxied = Files.writeString(dir.resolve("proxy.kubeconfig"), """
              apiVersion: v1
              kind: Config
              clusters: [{name: proxy, cluster: {server: "http://%s"}}]
              users: [{name: nobody, user: {}}]
              contexts: [{name: proxy, context: {cluster: proxy, user: nobody, namespace: %s}}]
              current-context: proxy
              """.formatted(at, ns.name()));
          PluginRun viaProxy = PluginRun.run(proxied, "", "console", "--read-only", "--linger", "500ms", "shell");
          assertThat(viaProxy.exitCode()).as(viaProxy.stderr()).isZero();
          assertThat(viaProxy.stdout()).startsWith("boot messages\nlogin: ");
        } finally {
          proxy.destroyForcibly();
        }

        // No permission, or only to watch: refused by the API server, in its words; nothing reaches the agent.
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.viewerCount() == 0); // the earlier clients left
        PluginRun refused = PluginRun.run(nobody, "", "console", "shell");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr().strip()).isEqualTo("Error from server (Forbidden): virtualmachines."
            + ConsoleSubresources.GROUP + " \"shell\" is forbidden: User \"" + PluginRun.user(ns, "nobody")
            + "\" cannot get resource \"virtualmachines/console\" in API group \"" + ConsoleSubresources.GROUP
            + "\" in the namespace \"" + ns.name() + "\"");
        PluginRun typing = PluginRun.run(watcher, "", "console", "shell");
        assertThat(typing.exitCode()).isEqualTo(1);
        assertThat(typing.stderr()).contains("Error from server (Forbidden)")
            .contains("cannot get resource \"virtualmachines/console\"");
        assertThat(hub.viewerCount()).isZero();

        PluginRun missing = PluginRun.run(typist, null, "console", "absent");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr().strip())
            .isEqualTo("Error from server (NotFound): virtualmachines.jvmm.io \"absent\" not found");
      }
    }
  }

  /** Opens the console's WebSocket as the admin and sends {@code keys} from onOpen, then closes it. */
  private static void typeAtOnce(ClusterNamespace ns, String vm, String keys) throws Exception {
    String base = ns.client().getMasterUrl().toString().replaceAll("/+$", "");
    java.util.concurrent.CompletableFuture<String> reply = new java.util.concurrent.CompletableFuture<>();
    io.fabric8.kubernetes.client.http.WebSocket socket = ns.client().getHttpClient().newWebSocketBuilder()
        .uri(java.net.URI.create(base + ConsoleSubresources.path(ns.name(), vm, false)))
        .buildAsync(new io.fabric8.kubernetes.client.http.WebSocket.Listener() {
          @Override
          public void onOpen(io.fabric8.kubernetes.client.http.WebSocket webSocket) {
            webSocket.send(ByteBuffer.wrap(utf8bytes(keys)));
            webSocket.request();
          }

          @Override
          public void onMessage(io.fabric8.kubernetes.client.http.WebSocket webSocket, String text) {
            reply.complete(text);
          }
        }).get(60, TimeUnit.SECONDS);
    assertThat(reply.get(60, TimeUnit.SECONDS)).contains("\"ok\":true").contains("\"writer\":true");
    socket.sendClose(1000, "done");
  }

  private static void bind(ClusterNamespace ns, String account, String clusterRole) {
    ns.client().rbac().roleBindings().resource(new RoleBindingBuilder().withNewMetadata()
        .withName(account + "-" + clusterRole).endMetadata().withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName(clusterRole).endRoleRef()
        .addNewSubject().withKind("ServiceAccount").withName(account).withNamespace(ns.name()).endSubject().build())
        .create();
  }

  private static Process start(Path kubeconfig, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(ProjectRoot.bin("kubectl-vm").toString(),
        "--kubeconfig=" + kubeconfig));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).start();
  }

  /** What reaches the guest's side of the console: {@code bytes} of it, or what came within a minute. */
  private static String readFromGuest(SocketChannel guest, int bytes) throws Exception {
    ByteBuffer typed = ByteBuffer.allocate(bytes);
    java.util.concurrent.CompletableFuture<Void> read = java.util.concurrent.CompletableFuture.runAsync(() -> {
      try {
        while (typed.hasRemaining() && guest.read(typed) >= 0) {
          // until the bytes are there or the console closes
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    try {
      read.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      return new String(typed.array(), 0, typed.position(), StandardCharsets.UTF_8) + " (nothing more within a minute)";
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
