package io.jvmm.e2e;

import io.jvmm.cluster.KubeBinaries;
import io.jvmm.cluster.Kubectl;
import io.jvmm.testkit.ProjectRoot;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/jvmm-cluster} run as a person runs it, with its state in a directory of the test's
 * and the API server on a port free now (kept by the script across down and up).
 */
final class JvmmClusterScript {
  private final Path state;
  private final int port;

  JvmmClusterScript(Path state) throws IOException {
    this.state = state;
    try (ServerSocket socket = new ServerSocket(0)) {
      this.port = socket.getLocalPort();
    }
  }

  /** What one run printed (stdout and stderr together) and how it ended. */
  record Run(int exitCode, String output) {
    String lastLine() {
      List<String> lines = output.lines().toList();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    Run orThrow(String what) {
      if (exitCode != 0) {
        throw new AssertionError("bin/jvmm-cluster " + what + " exited " + exitCode + ": " + output);
      }
      return this;
    }
  }

  Path kubeconfig() {
    return state.resolve("kubeconfig");
  }

  Kubectl kubectl() {
    return new Kubectl(KubeBinaries.locate().kubectl(), kubeconfig());
  }

  /** bin/jvmm-cluster ARGS..., given at most {@code minutes}. */
  Run run(int minutes, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile("jvmm-cluster-", ".out");
    try {
      ProcessBuilder builder = new ProcessBuilder(ProjectRoot.bin("jvmm-cluster").toString())
          .redirectErrorStream(true).redirectOutput(out.toFile());
      builder.command().addAll(List.of(args));
      builder.environment().put("JVMM_CLUSTER_STATE", state.toString());
      builder.environment().put("JVMM_CLUSTER_PORT", Integer.toString(port));
      Process process = builder.start();
      process.getOutputStream().close();
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

  /** A shell command line run as root on {@code node}: bin/jvmm-cluster exec. */
  Run exec(String node, String command) throws IOException, InterruptedException {
    return run(2, "exec", node, "--", command);
  }
}
