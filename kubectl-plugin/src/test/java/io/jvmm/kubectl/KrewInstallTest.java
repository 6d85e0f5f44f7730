package io.jvmm.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeBinaries;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.cluster.ThirdPartyJudges;
import io.jvmm.testkit.ProjectRoot;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kubectl vm as krew users get it: the archive and manifest that kubectl-plugin/krew/package.sh
 * makes pass krew's own validate-krew-manifest, and krew (sigs.k8s.io/krew, built from the Go
 * proxy) installs them into a fresh KREW_ROOT, after which kubectl, finding the plugin on PATH
 * where krew put it, runs it against a real API server.
 */
@KubeClusterTest
class KrewInstallTest {
  @TempDir
  Path dir;

  private Path out;

  @BeforeEach
  void packTheArchive() throws Exception {
    out = dir.resolve("krew");
    Result packed = run(List.of(ProjectRoot.path().resolve("kubectl-plugin/krew/package.sh").toString(), out.toString()),
        Map.of());
    assertThat(packed.code()).as(packed.output()).isZero();
  }

  @Test
  void krewInstallsTheArchiveByItsManifestAndKubectlVmListsThroughIt(ClusterNamespace ns) throws Exception {
    Path archive = out.resolve("kubectl-vm.tar.gz");
    Path manifest = out.resolve("vm.yaml");
    assertThat(Files.readString(manifest)).contains("sha256: \"" + sha256(archive) + "\"");
    Result entries = run(List.of("tar", "-tzf", archive.toString()), Map.of());
    assertThat(entries.output().lines()).contains("LICENSE", "bin/kubectl-vm")
        .anyMatch(e -> e.startsWith("kubectl-plugin/target/lib/") && e.endsWith(".jar"))
        .noneMatch(e -> e.endsWith("classpath.txt"));

    Path krew = ThirdPartyJudges.tool("krew");
    Map<String, String> env = krewEnvironment(krew);
    // krew's own check installs the plugin for every platform from the manifest's uri, and looks
    // for the LICENSE it unpacked: here the uri is the archive, served on this machine.
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/kubectl-vm.tar.gz", exchange -> {
      byte[] body = Files.readAllBytes(archive);
      exchange.sendResponseHeaders(200, body.length);
      try (var response = exchange.getResponseBody()) {
        response.write(body);
      }
    });
    server.start();
    try {
      Path served = Files.createDirectories(dir.resolve("served")).resolve("vm.yaml");
      Files.writeString(served, Files.readString(manifest).replaceFirst("(?m)^( +uri: ).*$",
          "$1http://127.0.0.1:" + server.getAddress().getPort() + "/kubectl-vm.tar.gz"));
      Result valid = run(List.of(krew.resolve("validate-krew-manifest").toString(), "-manifest", served.toString()), env);
      assertThat(valid.code()).as(valid.output()).isZero();
      assertThat(valid.output()).contains("all 1 spec.platforms installed fine");
    } finally {
      server.stop(0);
    }

    Result installed = kubectl(env, "krew", "install", "--manifest=" + manifest, "--archive=" + archive);
    assertThat(installed.code()).as(installed.output()).isZero();
    assertThat(installed.output()).contains("Installed plugin: vm");
    Result plugins = kubectl(env, "plugin", "list");
    assertThat(plugins.output()).contains(Path.of(env.get("KREW_ROOT"), "bin", "kubectl-vm").toString());

    ns.client().resource(io.jvmm.domain.ManifestYaml.read(
        Files.readAllBytes(ProjectRoot.path().resolve("examples/seed-vm.yaml")))).create();
    Result list = kubectl(env, "vm", "list", "--kubeconfig=" + ns.kubeconfig());
    assertThat(list.code()).as(list.output()).isZero();
    assertThat(list.output()).containsPattern("(?m)^NAME +READY +STATE +NODE").containsPattern("(?m)^stratovirt ");
  }

  @Test
  void krewRefusesAnArchiveThatIsNotTheOneTheManifestNames() throws Exception {
    Path archive = out.resolve("kubectl-vm.tar.gz");
    byte[] bytes = Files.readAllBytes(archive);
    bytes[bytes.length / 2] ^= 1;
    Files.write(archive, bytes);

    Map<String, String> env = krewEnvironment(ThirdPartyJudges.tool("krew"));
    Result refused = kubectl(env, "krew", "install", "--manifest=" + out.resolve("vm.yaml"), "--archive=" + archive);
    assertThat(refused.code()).isNotZero();
    assertThat(refused.output()).containsIgnoringCase("checksum");
    assertThat(Path.of(env.get("KREW_ROOT"), "bin", "kubectl-vm")).doesNotExist();
  }

  /**
   * A fresh KREW_ROOT, and a PATH with krew as kubectl-krew, then KREW_ROOT/bin, the control
   * plane's kubectl, this JVM's java (the plugin runs on it) and the system's: no checkout's bin/
   * to find kubectl-vm in.
   */
  private Map<String, String> krewEnvironment(Path krew) throws IOException {
    Path shims = Files.createDirectories(dir.resolve("shims"));
    Path kubectlKrew = shims.resolve("kubectl-krew");
    if (!Files.exists(kubectlKrew)) {
      Files.createSymbolicLink(kubectlKrew, krew.resolve("krew"));
    }
    Path root = dir.resolve("krew-root");
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent();
    Path kubectl = KubeBinaries.locate().directory();
    return Map.of("KREW_ROOT", root.toString(), "HOME", dir.toString(),
        "PATH", shims + ":" + root.resolve("bin") + ":" + kubectl + ":" + java + ":/usr/local/bin:/usr/bin:/bin");
  }

  private static Result kubectl(Map<String, String> env, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of(KubeBinaries.locate().directory().resolve("kubectl").toString()));
    argv.addAll(List.of(args));
    return run(argv, env);
  }

  private record Result(int code, String output) {}

  private static Result run(List<String> argv, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    if (!env.isEmpty()) {
      builder.environment().clear();
      builder.environment().putAll(env);
    }
    Process p = builder.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).as(argv.toString()).isTrue();
    return new Result(p.exitValue(), argv + ":\n" + output);
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
