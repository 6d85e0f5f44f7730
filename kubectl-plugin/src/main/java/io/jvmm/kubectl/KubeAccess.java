package io.jvmm.kubectl;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * The cluster, user and namespace as kubectl picks them: --kubeconfig, else $KUBECONFIG (a
 * ':'-separated list, merged), else ~/.kube/config, else the pod's service account; --context,
 * else the current context; -n, else the context's namespace, else "default".
 */
final class KubeAccess {
  private final Config config;
  private final String namespace;

  private KubeAccess(Config config, String namespace) {
    this.config = config;
    this.namespace = namespace;
  }

  static KubeAccess resolve(Path kubeconfig, String context, String namespace, String token) {
    Config config;
    if (kubeconfig != null) {
      if (!Files.isRegularFile(kubeconfig)) {
        throw new UsageException("stat " + kubeconfig + ": no such file or directory");
      }
      requireContext(List.of(kubeconfig.toFile()), context);
      config = Config.fromKubeconfig(context, kubeconfig.toFile());
    } else {
      Collection<String> files = Config.getKubeconfigFilenames();
      List<File> present = files.stream().map(File::new).filter(File::isFile).toList();
      requireContext(present, context);
      config = Config.autoConfigure(context);
    }
    // The API server names a non-apply change's field manager after the user agent's product.
    config.setUserAgent(KubectlVm.FIELD_MANAGER + "/0.1.0");
    if (token != null) {
      config.setOauthToken(token);
    }
    String ns = namespace != null && !namespace.isBlank() ? namespace
        : config.getNamespace() != null ? config.getNamespace() : "default";
    config.setNamespace(ns);
    return new KubeAccess(config, ns);
  }

  /** kubectl refuses a --context the kubeconfig does not define; fabric8 would ignore it. */
  private static void requireContext(List<File> files, String context) {
    if (context == null) {
      return;
    }
    for (File f : files) {
      try {
        var parsed = KubeConfigUtils.parseConfig(f);
        if (parsed.getContexts() != null && parsed.getContexts().stream().anyMatch(c -> context.equals(c.getName()))) {
          return;
        }
      } catch (RuntimeException e) {
        throw new UsageException("cannot read kubeconfig " + f + ": " + e.getMessage());
      }
    }
    throw new UsageException("context \"" + context + "\" does not exist");
  }

  KubernetesClient client() {
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  String namespace() {
    return namespace;
  }

  Config config() {
    return config;
  }
}
