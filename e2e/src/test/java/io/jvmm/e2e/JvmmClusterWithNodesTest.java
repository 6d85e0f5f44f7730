package io.jvmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.cluster.KubeBinaries;
import io.jvmm.cluster.Kubectl;
import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.ProjectRoot;
import io.jvmm.testkit.SandboxTest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/jvmm-cluster up --nodes 1} as a person runs it: the control plane, the operator and
 * a node agent in a KVM sandbox, ready for a VM applied with kubectl; {@code down} stops it all.
 */
@Tag("kube")
class JvmmClusterWithNodesTest {

  @TempDir
  Path state;

  private record Run(int exitCode, String output) {
    String lastLine() {
      List<String> lines = output.lines().toList();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
  }

  @SandboxTest
  void upWithNodesRunsAVmAppliedWithKubectlAndDownStopsEverything(GuestImage image) throws Exception {
    try {
      Run up = run(20, "up", "--nodes", "1");
      assertThat(up.exitCode).as(up.output).isZero();
      assertThat(up.lastLine()).isEqualTo("KUBECONFIG=" + state.resolve("kubeconfig"));

      Kubectl kubectl = new Kubectl(KubeBinaries.locate().kubectl(), state.resolve("kubeconfig"));
      assertThat(kubectl.run("get", "node", "jvmm-node-1", "-o", "jsonpath={.metadata.labels.jvmm\\.io/kvm}")
          .orThrow().stdout()).isEqualTo("true");
      kubectl.runWithStdin(KvmCluster.guestManifest(image, "first", 1, "256MiB", "Always"), "apply", "-f", "-")
          .orThrow();
      Kubectl.Result ready = kubectl.run("wait", "--for=condition=Ready", "virtualmachine/first", "--timeout=600s");
      assertThat(ready.exitCode()).as(ready.stderr() + kubectl.run("get", "vm", "first", "-o", "yaml").stdout())
          .isZero();
      assertThat(kubectl.run("get", "vm", "first", "-o", "jsonpath={.status.nodeName}").orThrow().stdout())
          .isEqualTo("jvmm-node-1");

      Run status = run(1, "status");
      assertThat(status.output).containsPattern("operator +running").containsPattern("jvmm-node-1 +running");
    } finally {
      Run down = run(3, "down");
      assertThat(down.exitCode).as(down.output).isZero();
    }
    assertThat(run(1, "status").output).doesNotContain(" running ");
  }

  private Run run(int minutes, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile("jvmm-cluster-", ".out");
    try {
      ProcessBuilder builder = new ProcessBuilder(ProjectRoot.bin("jvmm-cluster").toString())
          .redirectErrorStream(true).redirectOutput(out.toFile());
      builder.command().addAll(List.of(args));
      builder.environment().put("JVMM_CLUSTER_STATE", state.toString());
      builder.environment().put("JVMM_CLUSTER_PORT", Integer.toString(freePort()));
      Process process = builder.start();
      if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("bin/jvmm-cluster " + String.join(" ", args) + " did not finish in " + minutes
            + " minutes: " + Files.readString(out));
      }
      return new Run(process.exitValue(), Files.readString(out));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
