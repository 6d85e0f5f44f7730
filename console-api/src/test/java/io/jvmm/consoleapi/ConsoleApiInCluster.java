package io.jvmm.consoleapi;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvmm.agent.kube.AgentInCluster;
import io.jvmm.crds.v1alpha1.ConsoleSubresources;
import io.jvmm.testkit.ProjectRoot;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * jvmm's console API on the test control plane as deploy/console-api/ runs it, but as a thread
 * of the test's JVM on loopback: its service account with the RBAC of
 * deploy/console-api/rbac.yaml, its certificates made by itself in jvmm-system, and the
 * APIService of deploy/console-api/apiservice.yaml pointing at it through an ExternalName
 * Service (localhost; there is no kube-proxy here), with the port it listens on. Returns once
 * kube-apiserver reports the APIService Available.
 */
public final class ConsoleApiInCluster implements AutoCloseable {
  public static final String NAMESPACE = "jvmm-system";
  public static final String SERVICE_ACCOUNT = "jvmm-console-api";
  private final KubernetesClient client;
  private final ConsoleApiServer server;
  private final ConsoleCertificates.Material material;

  private ConsoleApiInCluster(KubernetesClient client, ConsoleApiServer server,
      ConsoleCertificates.Material material) {
    this.client = client;
    this.server = server;
    this.material = material;
  }

  public static ConsoleApiInCluster start(KubernetesClient admin) throws Exception {
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
    Path deploy = ProjectRoot.path().resolve("deploy/console-api");
    try (InputStream rbac = Files.newInputStream(deploy.resolve("rbac.yaml"))) {
      for (HasMetadata item : admin.load(rbac).items()) {
        admin.resource(item).fieldManager("jvmm-test").forceConflicts().serverSideApply();
      }
    }
    APIService apiService = null;
    try (InputStream in = Files.newInputStream(deploy.resolve("apiservice.yaml"))) {
      for (HasMetadata item : admin.load(in).items()) {
        if (item instanceof APIService a) {
          apiService = a;
        }
      }
    }
    // As deployed: the APIService is there (without caBundle) before the component starts, and
    // the component sets its caBundle with its service account's rights.
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    admin.services().inNamespace(NAMESPACE).resource(new ServiceBuilder().withNewMetadata()
        .withName(SERVICE_ACCOUNT).withNamespace(NAMESPACE).endMetadata().withNewSpec()
        .withType("ExternalName").withExternalName("localhost").endSpec().build())
        .fieldManager("jvmm-test").forceConflicts().serverSideApply();
    apiService.getSpec().getService().setPort(port);
    admin.resource(apiService).fieldManager("jvmm-test").forceConflicts().serverSideApply();
    KubernetesClient client = AgentInCluster.clientAs(admin, NAMESPACE, SERVICE_ACCOUNT);
    ConsoleApiServer server;
    ConsoleCertificates.Material material;
    try {
      material = ConsoleCertificates.ensure(client, NAMESPACE, SERVICE_ACCOUNT);
      server = ConsoleApiServer.start(new InetSocketAddress("127.0.0.1", port), client,
          material.servingCert(), material.servingKey(), material.clientCert(), material.clientKey());
    } catch (Exception | Error e) {
      client.close();
      throw e;
    }
    ConsoleApiInCluster api = new ConsoleApiInCluster(client, server, material);
    try {
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> available(admin));
      return api;
    } catch (Exception | Error e) {
      api.close();
      throw e;
    }
  }

  private static boolean available(KubernetesClient admin) {
    APIService r = admin.resources(APIService.class).withName(ConsoleSubresources.API_SERVICE).get();
    return r != null && r.getStatus() != null && r.getStatus().getConditions() != null
        && r.getStatus().getConditions().stream()
            .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The CA agents must trust for the console API's client certificate (their --console-client-ca), PEM. */
  public String clientCaPem() {
    return material.clientCa();
  }

  /** The CA of its serving certificate (the APIService's caBundle), PEM. */
  public String servingCaPem() {
    return material.servingCa();
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
    client.close();
  }
}
