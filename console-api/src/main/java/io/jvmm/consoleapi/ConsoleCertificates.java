package io.jvmm.consoleapi;

import io.jvmm.crds.v1alpha1.ConsoleSubresources;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jvmm.agent.pki.CertificateAuthority;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The console's certificates, made by the console API itself on its first start and kept in the
 * Secret {@value #SECRET} of its namespace, so that replicas and restarts share them:
 * <ul>
 *   <li>a serving CA and the serving certificate for the Service {@code NAME.NAMESPACE.svc}; the
 *       CA goes into the APIService's caBundle, so kube-apiserver verifies the console API;</li>
 *   <li>the console client CA and the client certificate it issued to the console API; the CA
 *       goes into the ConfigMap {@value #CLIENT_CA_CONFIG_MAP}, which the node agents mount as
 *       their --console-client-ca, so they accept this component and nothing else.</li>
 * </ul>
 * Only the console API's service account may read the Secret (deploy/console-api/rbac.yaml).
 */
public final class ConsoleCertificates {
  public static final String SECRET = "jvmm-console-api-certs";
  public static final String CLIENT_CA_CONFIG_MAP = "jvmm-console-client-ca";
  public static final String CLIENT_CA_KEY = "ca.crt";
  static final String FIELD_MANAGER = "jvmm-console-api";

  private ConsoleCertificates() {
  }

  /** What the console API serves and presents. */
  public record Material(String servingCert, String servingKey, String servingCa, String clientCert,
      String clientKey, String clientCa) {
  }

  /**
   * The material in the Secret, made first when there is none; then the client CA published
   * and the APIService's caBundle set.
   */
  public static Material ensure(KubernetesClient client, String namespace, String serviceName) {
    Secret secret = client.secrets().inNamespace(namespace).withName(SECRET).get();
    if (secret == null) {
      secret = create(client, namespace, serviceName);
    }
    Material material = read(secret);
    client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
            .withName(CLIENT_CA_CONFIG_MAP).withNamespace(namespace).endMetadata()
            .withData(Map.of(CLIENT_CA_KEY, material.clientCa())).build())
        .fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    publishCaBundle(client, material.servingCa());
    return material;
  }

  private static Secret create(KubernetesClient client, String namespace, String serviceName) {
    CertificateAuthority servingCa = CertificateAuthority.create("jvmm-console-api-serving-ca");
    String service = serviceName + "." + namespace + ".svc";
    CertificateAuthority.Issued serving = servingCa.issueServer(service,
        List.of(service, service + ".cluster.local", serviceName + "." + namespace, "localhost", "127.0.0.1"));
    CertificateAuthority clientCa = CertificateAuthority.create("jvmm-console-client-ca");
    CertificateAuthority.Issued identity = clientCa.issueClient("jvmm-console-api");
    Map<String, String> data = new LinkedHashMap<>();
    data.put("serving-ca.crt", servingCa.certificatePem());
    data.put("tls.crt", serving.certificatePem());
    data.put("tls.key", serving.keyPem());
    data.put("client-ca.crt", clientCa.certificatePem());
    data.put("client.crt", identity.certificatePem());
    data.put("client.key", identity.keyPem());
    // The CAs' keys are not kept: a new certificate means a new CA, made by deleting the Secret.
    Secret secret = new SecretBuilder().withNewMetadata().withName(SECRET).withNamespace(namespace).endMetadata()
        .withType("Opaque").withStringData(data).build();
    try {
      return client.secrets().inNamespace(namespace).resource(secret).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return client.secrets().inNamespace(namespace).withName(SECRET).get(); // another replica won
      }
      throw e;
    }
  }

  static Material read(Secret secret) {
    Map<String, String> data = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> data.put(k, new String(Base64.getDecoder().decode(v),
          StandardCharsets.UTF_8)));
    }
    for (String key : List.of("serving-ca.crt", "tls.crt", "tls.key", "client-ca.crt", "client.crt", "client.key")) {
      if (data.get(key) == null || data.get(key).isBlank()) {
        throw new IllegalStateException("Secret " + SECRET + " lacks " + key + ": delete it, and the console API"
            + " makes a new one on its next start");
      }
    }
    return new Material(data.get("tls.crt"), data.get("tls.key"), data.get("serving-ca.crt"),
        data.get("client.crt"), data.get("client.key"), data.get("client-ca.crt"));
  }

  /** Sets the APIService's caBundle to the serving CA, when the APIService exists. */
  static void publishCaBundle(KubernetesClient client, String servingCaPem) {
    var apiService = client.resources(APIService.class).withName(ConsoleSubresources.API_SERVICE);
    APIService current = apiService.get();
    if (current == null) {
      return;
    }
    String bundle = Base64.getEncoder().encodeToString(servingCaPem.getBytes(StandardCharsets.US_ASCII));
    if (!bundle.equals(current.getSpec().getCaBundle())) {
      apiService.edit(r -> {
        r.getSpec().setCaBundle(bundle);
        return r;
      });
    }
  }
}
