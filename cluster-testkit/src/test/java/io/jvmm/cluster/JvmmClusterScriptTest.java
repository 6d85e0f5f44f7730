package io.jvmm.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.testkit.ProjectRoot;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/jvmm-cluster} as a person runs it: up, up again, status, down. */
@Tag("kube")
class JvmmClusterScriptTest {

  @TempDir
  Path state;

  private final Path script = ProjectRoot.path().resolve("bin/jvmm-cluster");

  @AfterEach
  void down() throws Exception {
    run("down");
  }

  @Test
  void upStartsAClusterThatASecondUpReusesAndDownStops() throws Exception {
    Run up = run("up");
    assertThat(up.exitCode).as(up.stderr).isZero();
    assertThat(up.lastLine()).isEqualTo("KUBECONFIG=" + state.resolve("kubeconfig"));

    Run again = run("up");
    assertThat(again.exitCode).isZero();
    assertThat(again.stderr).contains("already running");
    assertThat(again.lastLine()).isEqualTo(up.lastLine());

    Kubectl kubectl = new Kubectl(KubeBinaries.locate().kubectl(), state.resolve("kubeconfig"));
    assertThat(kubectl.run("get", "namespace", "default", "-o", "name").orThrow().stdout())
        .isEqualTo("namespace/default\n");
    assertThat(kubectl.run("auth", "can-i", "list", "secrets",
        "--as=system:serviceaccount:default:default").stdout().strip()).isEqualTo("no");

    Run status = run("status");
    assertThat(status.exitCode).isZero();
    assertThat(status.stdout.lines().filter(l -> l.contains(" running ")).count()).isEqualTo(3);

    List<Long> pids;
    try (var files = Files.list(state.resolve("run"))) {
      pids = files.map(JvmmClusterScriptTest::readPid).toList();
    }
    assertThat(pids).hasSize(3);

    assertThat(run("down").exitCode).isZero();
    assertThat(run("status").exitCode).isEqualTo(3);
    assertThat(pids).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
        .orElse(false));
  }

  private record Run(int exitCode, String stdout, String stderr) {
    String lastLine() {
      List<String> lines = stdout.lines().toList();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
  }

  private Run run(String command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("jvmm-cluster-", ".out");
    Path err = Files.createTempFile("jvmm-cluster-", ".err");
    try {
      ProcessBuilder builder = new ProcessBuilder(script.toString(), command)
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      builder.environment().put("JVMM_CLUSTER_STATE", state.toString());
      builder.environment().put("JVMM_CLUSTER_PORT", Integer.toString(freePort()));
      Process process = builder.start();
      if (!process.waitFor(3, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("bin/jvmm-cluster " + command + " did not finish in 3 minutes");
      }
      return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static long readPid(Path file) {
    try {
      return Long.parseLong(Files.readString(file).strip());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
