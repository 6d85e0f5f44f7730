package io.jvmm.cluster;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One test's share of the control plane: a fresh namespace, a client whose default namespace it
 * is, and a kubeconfig file (same namespace) for kubectl and other programs. Closing it deletes
 * the namespace without waiting; kube-controller-manager empties it in the background.
 */
public final class ClusterNamespace implements AutoCloseable {

  private final KubeControlPlane controlPlane;
  private final String name;
  private final KubernetesClient client;
  private final Path kubeconfig;

  ClusterNamespace(KubeControlPlane controlPlane, String name) {
    this.controlPlane = controlPlane;
    this.name = name;
    this.client = controlPlane.newClient(name);
    client.namespaces().resource(new NamespaceBuilder()
        .withNewMetadata().withName(name).addToLabels("jvmm.io/test", "true").endMetadata()
        .build()).create();
    this.kubeconfig = controlPlane.writeKubeconfig(name,
        controlPlane.workDir().resolve(name + ".kubeconfig"));
  }

  /** The namespace's name. */
  public String name() {
    return name;
  }

  /** A cluster-admin client whose default namespace is {@link #name()}. */
  public KubernetesClient client() {
    return client;
  }

  /** A cluster-admin kubeconfig whose context's namespace is {@link #name()}. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** kubectl of the control plane's release with {@link #kubeconfig()}. */
  public Kubectl kubectl() {
    return controlPlane.kubectl(kubeconfig);
  }

  public KubeControlPlane controlPlane() {
    return controlPlane;
  }

  @Override
  public void close() throws IOException {
    try {
      client.namespaces().withName(name).delete();
    } finally {
      client.close();
      Files.deleteIfExists(kubeconfig);
    }
  }
}
