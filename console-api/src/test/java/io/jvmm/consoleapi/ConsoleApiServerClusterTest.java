package io.jvmm.consoleapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.jvmm.agent.pki.Pem;
import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.crds.v1alpha1.ConsoleSubresources;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;

/**
 * The console API on its own port, called as kube-apiserver's front proxy calls it, and as
 * others might try to: it believes the X-Remote headers of the front proxy's certificate only,
 * and authorizes the user it names again with a SubjectAccessReview. Its certificates are its own
 * making, kept and published where deploy/ says.
 */
@KubeClusterTest
class ConsoleApiServerClusterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void believesOnlyTheFrontProxyAndAuthorizesTheUserItNames(ClusterNamespace ns) throws Exception {
    var plane = ns.controlPlane();
    try (ConsoleApiInCluster api = ConsoleApiInCluster.start(ns.client())) {
      URI console = URI.create("https://127.0.0.1:" + api.port()
          + ConsoleSubresources.path(ns.name(), "absent", false));
      KeyManager[] frontProxy = Pem.keyManagers(Files.readString(plane.frontProxyCertificate()),
          Files.readString(plane.frontProxyKey()), "front proxy");
      KeyManager[] admin = Pem.keyManagers(Files.readString(plane.adminCertificate()),
          Files.readString(plane.adminKey()), "admin");

      // Without the front proxy's certificate the TLS handshake fails, whatever the headers say.
      assertThatThrownBy(() -> get(client(api, null), console, "X-Remote-User", "system:admin",
          "X-Remote-Group", "system:masters")).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> get(client(api, admin), console, "X-Remote-User", "system:admin",
          "X-Remote-Group", "system:masters")).isInstanceOf(IOException.class);
      // One client for what follows: its requests share a kept-alive connection, as kube-apiserver's do,
      // so an answer that left the connection unread would hang the next request.
      HttpClient proxy = client(api, frontProxy);

      // The front proxy, for a user without the permission: the console API's own SubjectAccessReview says no.
      HttpResponse<String> nobody = get(proxy, console, "X-Remote-User", "nobody",
          "X-Remote-Group", "system:authenticated");
      assertThat(nobody.statusCode()).isEqualTo(403);
      JsonNode forbidden = JSON.readTree(nobody.body());
      assertThat(forbidden.get("kind").asText()).isEqualTo("Status");
      assertThat(forbidden.get("reason").asText()).isEqualTo("Forbidden");
      assertThat(forbidden.get("message").asText()).isEqualTo("virtualmachines." + ConsoleSubresources.GROUP
          + " \"absent\" is forbidden: User \"nobody\" cannot get resource \"virtualmachines/console\" in API group \""
          + ConsoleSubresources.GROUP + "\" in the namespace \"" + ns.name() + "\"");

      // A user who may: on to the VM, which does not exist.
      HttpResponse<String> master = get(proxy, console, "X-Remote-User", "root",
          "X-Remote-Group", "system:masters");
      assertThat(master.statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(master.body()).get("message").asText())
          .isEqualTo("virtualmachines.jvmm.io \"absent\" not found");

      HttpResponse<String> discovery = get(proxy, URI.create("https://127.0.0.1:" + api.port()
          + ConsoleSubresources.PREFIX), "X-Remote-User", "anyone");
      assertThat(discovery.statusCode()).isEqualTo(200);
      assertThat(discovery.body()).contains("\"virtualmachines/console\"", "\"virtualmachines/consoleview\"");
      assertThat(get(proxy, console, "X-Remote-User", "nobody").statusCode()).isEqualTo(403);

      // Its certificates: kept in the Secret (a second start makes none), the serving CA in the
      // APIService's caBundle, the agents' CA in the ConfigMap they mount.
      var client = ns.client();
      ConsoleCertificates.Material again = ConsoleCertificates.ensure(client, ConsoleApiInCluster.NAMESPACE,
          ConsoleApiInCluster.SERVICE_ACCOUNT);
      assertThat(again.servingCa()).isEqualTo(api.servingCaPem());
      assertThat(again.clientCa()).isEqualTo(api.clientCaPem());
      APIService registered = client.resources(APIService.class).withName(ConsoleSubresources.API_SERVICE).get();
      assertThat(new String(Base64.getDecoder().decode(registered.getSpec().getCaBundle()), StandardCharsets.US_ASCII))
          .isEqualTo(api.servingCaPem());
      ConfigMap ca = client.configMaps().inNamespace(ConsoleApiInCluster.NAMESPACE)
          .withName(ConsoleCertificates.CLIENT_CA_CONFIG_MAP).get();
      assertThat(ca.getData()).containsEntry(ConsoleCertificates.CLIENT_CA_KEY, api.clientCaPem());
    }
  }

  /** An HTTPS client that trusts the console API's serving CA and presents {@code identity}. */
  private static HttpClient client(ConsoleApiInCluster api, KeyManager[] identity) throws Exception {
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(identity, new TrustManager[] {Pem.trustManager(api.servingCaPem(), "serving CA")}, null);
    return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();
  }

  private static HttpResponse<String> get(HttpClient http, URI uri, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(java.time.Duration.ofSeconds(30)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
