package io.jvmm.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The control plane behaves as a real cluster does for the things jvmm relies on, driven through
 * the real kubectl: CRDs, client- and server-side apply, watches, conditions, optimistic
 * concurrency, finalizers, garbage collection and RBAC.
 */
@KubeClusterTest
class ControlPlaneKubectlTest {

  private static final String CRD = "widgets.test.jvmm.io";
  private static final ResourceDefinitionContext WIDGETS = new ResourceDefinitionContext.Builder()
      .withGroup("test.jvmm.io").withVersion("v1").withPlural("widgets").withKind("Widget")
      .withNamespaced(true).build();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** The garbage collector rediscovers resource types every 30 s, so a new CRD waits for that. */
  private static final Duration GC_TIMEOUT = Duration.ofSeconds(120);

  @BeforeAll
  static void installCrd(KubeControlPlane controlPlane) throws URISyntaxException {
    Kubectl kubectl = controlPlane.kubectl(controlPlane.adminKubeconfig());
    Path crd = Path.of(ControlPlaneKubectlTest.class.getResource("/widget-crd.yaml").toURI());
    kubectl.run("apply", "-f", crd.toString()).orThrow();
    assertThat(kubectl.run("wait", "--for=condition=Established", "crd/" + CRD, "--timeout=60s")
        .orThrow().stdout()).contains("condition met");
  }

  @Test
  void objectsAppliedClientAndServerSideShowUpInAWatch(ClusterNamespace ns) throws Exception {
    Kubectl kubectl = ns.kubectl();
    Process watch = kubectl.start("get", "widgets", "--watch", "--output=name");
    try {
      BlockingQueue<String> seen = linesOf(watch);
      kubectl.runWithStdin(widget("client-side", "size: 1"), "apply", "-f", "-").orThrow();
      kubectl.runWithStdin(widget("server-side", "size: 2"), "apply", "--server-side", "-f", "-").orThrow();

      assertThat(awaitLine(seen, "widget.test.jvmm.io/client-side")).isTrue();
      assertThat(awaitLine(seen, "widget.test.jvmm.io/server-side")).isTrue();
    } finally {
      watch.destroy();
    }
    // Client-side apply keeps its last state in an annotation; server-side apply records the
    // applier as a field manager with operation Apply instead.
    assertThat(kubectl.run("get", "widget", "client-side", "-o",
        "jsonpath={.metadata.annotations}").orThrow().stdout())
        .contains("kubectl.kubernetes.io/last-applied-configuration");
    assertThat(kubectl.run("get", "widget", "server-side", "--show-managed-fields", "-o",
        "jsonpath={.metadata.managedFields[*].operation}").orThrow().stdout())
        .isEqualTo("Apply");
  }

  @Test
  void celRuleRejectsAnInvalidObject(ClusterNamespace ns) {
    Kubectl.Result result = ns.kubectl().runWithStdin(widget("negative", "size: -1"), "apply", "-f", "-");

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("spec.size must not be negative");
  }

  @Test
  void waitReturnsOnceTheConditionIsSet(ClusterNamespace ns) throws Exception {
    Kubectl kubectl = ns.kubectl();
    kubectl.runWithStdin(widget("ready-later", "size: 1"), "apply", "-f", "-").orThrow();
    Process wait = kubectl.start("wait", "--for=condition=Ready", "widget/ready-later",
        "--timeout=60s");
    try {
      assertThat(wait.waitFor(2, TimeUnit.SECONDS)).as("kubectl wait returned early").isFalse();

      kubectl.run("patch", "widget", "ready-later", "--subresource=status", "--type=merge", "-p",
          "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Test\","
              + "\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"}]}}").orThrow();

      assertThat(wait.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(wait.exitValue()).isZero();
      assertThat(new String(wait.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .contains("condition met");
    } finally {
      wait.destroyForcibly();
    }
  }

  @Test
  void updateWithAStaleResourceVersionIsAConflict(ClusterNamespace ns) {
    Kubectl kubectl = ns.kubectl();
    kubectl.runWithStdin(widget("contended", "size: 1"), "apply", "-f", "-").orThrow();
    String stale = kubectl.run("get", "widget", "contended", "-o", "yaml").orThrow().stdout();
    GenericKubernetesResource staleObject =
        ns.client().genericKubernetesResources(WIDGETS).withName("contended").get();
    kubectl.run("patch", "widget", "contended", "--type=merge", "-p", "{\"spec\":{\"size\":2}}")
        .orThrow();

    Kubectl.Result replace = kubectl.runWithStdin(stale.replace("size: 1", "size: 3"),
        "replace", "-f", "-", "-v=6");
    assertThat(replace.exitCode()).isNotZero();
    assertThat(replace.stderr())
        .contains("409")
        .contains("the object has been modified");

    staleObject.getAdditionalProperties().put("spec", java.util.Map.of("size", 4));
    assertThatThrownBy(() -> ns.client().genericKubernetesResources(WIDGETS)
        .resource(staleObject).update())
        .isInstanceOfSatisfying(KubernetesClientException.class,
            e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(kubectl.run("get", "widget", "contended", "-o", "jsonpath={.spec.size}")
        .orThrow().stdout()).isEqualTo("2");
  }

  @Test
  void finalizerHoldsDeletionUntilRemoved(ClusterNamespace ns) {
    Kubectl kubectl = ns.kubectl();
    kubectl.runWithStdin("""
        apiVersion: test.jvmm.io/v1
        kind: Widget
        metadata:
          name: held
          finalizers: [test.jvmm.io/hold]
        spec:
          size: 1
        """, "apply", "-f", "-").orThrow();

    kubectl.run("delete", "widget", "held", "--wait=false").orThrow();

    assertThat(kubectl.run("get", "widget", "held", "-o",
        "jsonpath={.metadata.deletionTimestamp}").orThrow().stdout()).isNotBlank();
    kubectl.run("patch", "widget", "held", "--type=json", "-p",
        "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]").orThrow();
    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(kubectl.run("get", "widget", "held").stderr()).contains("NotFound"));
  }

  @Test
  void garbageCollectorDeletesDependentsOfADeletedOwner(ClusterNamespace ns) {
    Kubectl kubectl = ns.kubectl();
    kubectl.run("create", "configmap", "owner", "--from-literal=k=v").orThrow();
    String uid = kubectl.run("get", "configmap", "owner", "-o", "jsonpath={.metadata.uid}")
        .orThrow().stdout();
    String ownerReference = """
          ownerReferences:
            - apiVersion: v1
              kind: ConfigMap
              name: owner
              uid: %s
        """.formatted(uid);
    kubectl.runWithStdin("""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: dependent
        %s
        data:
          k: v
        ---
        apiVersion: test.jvmm.io/v1
        kind: Widget
        metadata:
          name: dependent
        %s
        spec:
          size: 1
        """.formatted(ownerReference.stripTrailing(), ownerReference.stripTrailing()),
        "apply", "-f", "-").orThrow();

    kubectl.run("delete", "configmap", "owner").orThrow();

    await().atMost(GC_TIMEOUT).untilAsserted(() -> {
      assertThat(kubectl.run("get", "configmap", "dependent").stderr()).contains("NotFound");
      assertThat(kubectl.run("get", "widget", "dependent").stderr()).contains("NotFound");
    });
  }

  @Test
  void rbacRefusesAServiceAccountWithoutARole(ClusterNamespace ns) {
    Kubectl kubectl = ns.kubectl();
    kubectl.run("create", "serviceaccount", "robot").orThrow();
    kubectl.runWithStdin(widget("guarded", "size: 1"), "apply", "-f", "-").orThrow();
    String robot = "--as=system:serviceaccount:" + ns.name() + ":robot";

    Kubectl.Result refused = kubectl.run("get", "widgets", robot);
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.stderr()).contains("Forbidden")
        .contains("\"system:serviceaccount:" + ns.name() + ":robot\" cannot list resource"
            + " \"widgets\"");

    kubectl.run("create", "role", "widget-reader", "--verb=get,list",
        "--resource=widgets.test.jvmm.io").orThrow();
    kubectl.run("create", "rolebinding", "robot-reads-widgets", "--role=widget-reader",
        "--serviceaccount=" + ns.name() + ":robot").orThrow();

    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(kubectl.run("get", "widgets", robot, "-o", "name").orThrow().stdout())
            .contains("widget.test.jvmm.io/guarded"));
    Kubectl.Result delete = kubectl.run("delete", "widget", "guarded", robot);
    assertThat(delete.exitCode()).isNotZero();
    assertThat(delete.stderr()).contains("cannot delete resource");
    assertThat(kubectl.run("auth", "can-i", "delete", "widgets", robot).stdout().strip())
        .isEqualTo("no");
  }

  private static String widget(String name, String spec) {
    return """
        apiVersion: test.jvmm.io/v1
        kind: Widget
        metadata:
          name: %s
        spec:
          %s
        """.formatted(name, spec);
  }

  private static BlockingQueue<String> linesOf(Process process) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (var in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line.strip());
        }
      } catch (IOException ignored) {
        // the process was destroyed
      }
    }, "kubectl-watch");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static boolean awaitLine(BlockingQueue<String> lines, String expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    List<String> others = new java.util.ArrayList<>();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (expected.equals(line)) {
        lines.addAll(others);
        return true;
      }
      if (line != null) {
        others.add(line);
      }
    }
    throw new AssertionError("the watch did not show " + expected + " within "
        + TIMEOUT.toSeconds() + " s; it showed " + others);
  }
}
