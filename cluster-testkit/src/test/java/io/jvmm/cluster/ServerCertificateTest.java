package io.jvmm.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Clients verify the API server: its certificate names every address they use, the sandbox's
 * view of this host included, and a token kubeconfig trusts it without skipping verification.
 */
@KubeClusterTest
class ServerCertificateTest {

  @Test
  void theServingCertificateNamesLoopbackAndTheSandboxsViewOfThisHost(KubeControlPlane plane) throws Exception {
    X509Certificate cert;
    try (InputStream in = Files.newInputStream(plane.serverCertificate())) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    // Subject alternative names are [type, value] pairs: 7 is an IP address, 2 a DNS name.
    List<String> names = cert.getSubjectAlternativeNames().stream().map(n -> n.get(1).toString()).toList();

    assertThat(names).contains("127.0.0.1", KubeControlPlane.SANDBOX_HOST_ADDRESS, "localhost");
  }

  @Test
  void aTokenKubeconfigVerifiesTheServerAndAuthenticates(ClusterNamespace ns) {
    ns.client().serviceAccounts().resource(new ServiceAccountBuilder().withNewMetadata().withName("reader")
        .endMetadata().build()).create();
    String token = ns.client().serviceAccounts().withName("reader")
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(600L).endSpec().build())
        .getStatus().getToken();
    Config config = Config.fromKubeconfig(ns.controlPlane().tokenKubeconfig("localhost", token, ns.name()));

    assertThat(config.isTrustCerts()).isFalse();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      // The service account has no rights: a 403 naming it means TLS held and the token was read.
      KubernetesClientException refused = Assertions.catchThrowableOfType(KubernetesClientException.class,
          () -> client.configMaps().list());
      assertThat(refused.getCode()).isEqualTo(403);
      assertThat(refused.getMessage()).contains("system:serviceaccount:" + ns.name() + ":reader");
    }
  }
}
