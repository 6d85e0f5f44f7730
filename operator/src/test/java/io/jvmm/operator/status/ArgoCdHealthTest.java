package io.jvmm.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeBinaries;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.cluster.ThirdPartyJudges;
import io.jvmm.testkit.ProjectRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/argocd/health.lua as Argo CD runs it (gopher-lua, as Argo CD pins it, with Argo CD's
 * libraries): the fixtures of argocd/health_test.yaml in this module's test resources, VMs
 * exported from a real API server, each get
 * the health they name; and the command deploy/argocd/README.md gives installs it into an
 * existing argocd-cm without touching the keys already there.
 */
@KubeClusterTest
class ArgoCdHealthTest {
  static final Path ARGOCD = ProjectRoot.path().resolve("deploy/argocd");
  /** Argo CD's health_test.yaml and its testdata/, kept out of deploy/ (a directory-mode applier would apply them). */
  static final Path FIXTURES = ProjectRoot.path().resolve("operator/src/test/resources/argocd");
  static final String KEY = "resource.customizations.health.jvmm.io_VirtualMachine";

  @TempDir
  Path dir;

  @Test
  void eachExportedVmGetsTheHealthItsFixtureNames() {
    String report = ThirdPartyJudges.argoCdHealthTests(ARGOCD.resolve("health.lua"), FIXTURES.resolve("health_test.yaml"));
    assertThat(report.lines()).hasSizeGreaterThanOrEqualTo(12).allMatch(l -> l.startsWith("ok "))
        .anyMatch(l -> l.contains("stopped.yaml: Healthy")).anyMatch(l -> l.contains("paused.yaml: Healthy"))
        .anyMatch(l -> l.contains("restart-required.yaml: Degraded"));
  }

  @Test
  void aFixtureWhoseHealthDiffersFails() throws Exception {
    Path tests = dir.resolve("health_test.yaml");
    Files.writeString(tests, """
        tests:
        - healthStatus:
            status: Healthy
            message: "the VMM failed with exit status 137"
          inputPath: testdata/vmm-failed.yaml
        """);
    Files.createDirectories(dir.resolve("testdata"));
    Files.copy(FIXTURES.resolve("testdata/vmm-failed.yaml"), dir.resolve("testdata/vmm-failed.yaml"));
    assertThatThrownBy(() -> ThirdPartyJudges.argoCdHealthTests(ARGOCD.resolve("health.lua"), tests))
        .hasMessageContaining("FAIL").hasMessageContaining("got Degraded");
  }

  @Test
  void theReadmesCommandAddsTheScriptToAnExistingArgocdCm(ClusterNamespace ns) throws Exception {
    ns.client().configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("argocd-cm").endMetadata()
        .addToData("url", "https://argocd.example.com").build()).create();
    Path kubeconfig = ns.kubeconfig();
    String kubectl = KubeBinaries.locate().directory().resolve("kubectl").toString();
    String command = readmeCommand().replace("kubectl ", kubectl + " --kubeconfig=" + kubeconfig + " ")
        .replace("-n argocd", "-n " + ns.name());
    Process p = new ProcessBuilder("bash", "-c", command).directory(ProjectRoot.path().toFile())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(command + "\n" + out).isZero();

    ConfigMap cm = ns.client().configMaps().withName("argocd-cm").get();
    assertThat(cm.getData()).containsEntry("url", "https://argocd.example.com")
        .containsEntry(KEY, Files.readString(ARGOCD.resolve("health.lua")));
  }

  /** The shell command in deploy/argocd/README.md's block that installs the script. */
  private static String readmeCommand() throws Exception {
    String readme = Files.readString(ARGOCD.resolve("README.md"));
    int start = readme.indexOf("```sh\n") + "```sh\n".length();
    String block = readme.substring(start, readme.indexOf("```", start)).strip();
    assertThat(block).contains(KEY);
    return block.replace("\\\n", " ");
  }
}
