package io.jvmm.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.cluster.Kubectl;
import io.jvmm.testkit.ProjectRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every VM in examples/, manifest or domain XML, is accepted by the API server and by kubectl vm create. */
@KubeClusterTest
class ExamplesClusterTest {

  static List<Path> examples() throws Exception {
    try (Stream<Path> files = Files.list(ProjectRoot.path().resolve("examples"))) {
      return files.filter(f -> f.toString().matches(".*\\.(yaml|xml)$")).sorted().toList();
    }
  }

  @Test
  void eachExampleIsAcceptedByTheApiServerAndByKubectlVmCreate(ClusterNamespace ns) throws Exception {
    List<Path> examples = examples();
    assertThat(examples.stream().map(p -> p.getFileName().toString()))
        .contains("guest-vm.yaml", "seed-vm.yaml", "seed-vm.xml", "seed-vm-aarch64.yaml", "seed-vm-aarch64.xml");
    Kubectl kubectl = ns.kubectl();
    for (Path example : examples) {
      String manifest = example.toString().endsWith(".xml")
          ? PluginRun.run((Path) null, null, "import", example.toString()).stdout()
          : Files.readString(example);
      Kubectl.Result dryRun = kubectl.runWithStdin(manifest, "apply", "--dry-run=server", "-f", "-");
      assertThat(dryRun.exitCode()).as(example + ": " + dryRun.stderr()).isZero();
      assertThat(dryRun.stdout()).as(example.toString()).contains("(server dry run)");

      PluginRun created = PluginRun.run(ns, "create", example.toString());
      assertThat(created.exitCode()).as(example + ": " + created.stderr()).isZero();
      String name = created.stdout().strip().replaceAll("^virtualmachine\\.jvmm\\.io/(.*) created$", "$1");
      assertThat(kubectl.run("get", "vm", name).exitCode()).as(example.toString()).isZero();
      PluginRun destroyed = PluginRun.run(ns, "destroy", name);
      assertThat(destroyed.exitCode()).as(example + ": " + destroyed.stderr()).isZero();
    }
  }
}
