package io.jvmm.cluster;

import java.lang.reflect.Method;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a real Kubernetes control plane ({@link KubeControlPlane}), started once per test
 * run on first use and stopped when the run ends, whichever classes use it.
 *
 * <p>Parameters it resolves: {@link ClusterNamespace} in a test method (a fresh namespace per
 * test, deleted after it), and {@link KubeControlPlane} anywhere, {@code @BeforeAll} included.
 * Use it with {@code @ExtendWith(KubeClusterExtension.class)} or {@link KubeClusterTest}.
 */
public final class KubeClusterExtension implements ParameterResolver {

  private static final Namespace STORE = Namespace.create(KubeClusterExtension.class);

  /**
   * Set to a control plane's {@link KubeControlPlane#workDir()}, the run uses that control plane,
   * reached at {@link KubeControlPlane#SANDBOX_HOST_ADDRESS}, instead of starting one: tests that
   * a host test runs inside the KVM sandbox share the host's.
   */
  public static final String ATTACH_PROPERTY = "jvmm.test.kube.attach";

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KubeControlPlane.class
        || (type == ClusterNamespace.class && context.getTestMethod().isPresent());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    KubeControlPlane plane = controlPlane(context);
    if (type == KubeControlPlane.class) {
      return plane;
    }
    Method method = context.getRequiredTestMethod();
    // One namespace per test, however many parameters ask for it; closed with the test.
    return context.getStore(STORE).getOrComputeIfAbsent(ClusterNamespace.class,
        k -> new ClusterNamespace(plane, namespaceName(method)), ClusterNamespace.class);
  }

  /** The run's control plane; the root store closes it when the run ends. */
  public static KubeControlPlane controlPlane(ExtensionContext context) {
    try {
      return context.getRoot().getStore(STORE).getOrComputeIfAbsent(KubeControlPlane.class,
          k -> startOrAttach(), KubeControlPlane.class);
    } catch (RuntimeException e) {
      throw new ParameterResolutionException(
          "cannot start the Kubernetes control plane: " + e.getMessage(), e);
    }
  }

  private static KubeControlPlane startOrAttach() {
    String attached = System.getProperty(ATTACH_PROPERTY);
    return attached == null ? KubeControlPlane.start()
        : KubeControlPlane.attach(java.nio.file.Path.of(attached), KubeControlPlane.SANDBOX_HOST_ADDRESS);
  }

  /** A DNS-1123 label from the test's name, unique enough for one run. */
  static String namespaceName(Method method) {
    String base = (method.getDeclaringClass().getSimpleName() + "-" + method.getName())
        .replaceAll("([a-z0-9])([A-Z])", "$1-$2")
        .replaceAll("([A-Z])([A-Z][a-z])", "$1-$2")
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9-]+", "-");
    String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
    int room = 63 - suffix.length() - 1;
    if (base.length() > room) {
      base = base.substring(0, room);
    }
    return (base.replaceAll("^-+|-+$", "") + "-" + suffix).replaceAll("-+", "-");
  }
}
