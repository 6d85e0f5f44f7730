package io.jvmm.agent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.agent.VmKey;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.testkit.ProjectRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestDirectoryTest {
  @TempDir
  Path dir;

  private static String manifest(String name, String memory) {
    return """
        apiVersion: jvmm.io/v1alpha1
        kind: VirtualMachine
        metadata:
          name: %s
        spec:
          memory: %s
          vcpu: 1
          os: {arch: x86_64, machine: q35, kernel: /var/lib/jvmm/vmlinuz}
          features: {acpi: true}
        """.formatted(name, memory);
  }

  @Test
  void eachFileIsAVmAndChangesAreNoticed() throws Exception {
    Path vms = Files.createDirectories(dir.resolve("manifests"));
    Files.writeString(vms.resolve("one.yaml"), manifest("one", "256MiB"));
    Files.copy(ProjectRoot.path().resolve("examples/seed-vm.xml"), vms.resolve("seed.xml"));
    Files.writeString(vms.resolve("notes.txt"), "not a VM");
    ManifestDirectory source = new ManifestDirectory(vms, dir.resolve("state"));
    List<VmKey> changed = new CopyOnWriteArrayList<>();
    source.start(changed::add);
    try {
      VmKey one = new VmKey("default", "one");
      VmKey seed = new VmKey("default", "stratovirt");
      assertThat(source.keys()).containsExactlyInAnyOrder(one, seed);
      assertThat(changed).containsExactlyInAnyOrder(one, seed);
      assertThat(source.get(one).orElseThrow().getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(source.get(seed).orElseThrow().getSpec().vcpu).isEqualTo(4);

      // suspend: the run state changes, and so does the generation
      source.setRunState(one, RunState.PAUSED);
      assertThat(source.get(one).orElseThrow().getSpec().runState).isEqualTo(RunState.PAUSED);
      assertThat(source.get(one).orElseThrow().getMetadata().getGeneration()).isEqualTo(2L);

      // a new file content is a new spec, and drops the run state
      changed.clear();
      Files.writeString(vms.resolve("one.yaml"), manifest("one", "512MiB"));
      source.scan();
      assertThat(changed).containsExactly(one);
      assertThat(source.get(one).orElseThrow().getSpec().memory).isEqualTo("512MiB");
      assertThat(source.get(one).orElseThrow().getSpec().runState).isNull();
      assertThat(source.get(one).orElseThrow().getMetadata().getGeneration()).isEqualTo(3L);

      // an unreadable file and a duplicate name are reported, not run
      Files.writeString(vms.resolve("broken.yaml"), "apiVersion: jvmm.io/v1alpha1\nkind: VirtualMachine\nspec: {colour: red}\n");
      Files.writeString(vms.resolve("two.yaml"), manifest("one", "256MiB"));
      assertThat(source.scan()).containsKeys(vms.resolve("broken.yaml"), vms.resolve("two.yaml"));
      assertThat(source.problems().get(vms.resolve("broken.yaml"))).contains("colour");
      assertThat(source.problems().get(vms.resolve("two.yaml"))).contains("already defined by");

      changed.clear();
      Files.delete(vms.resolve("seed.xml"));
      source.scan();
      assertThat(source.keys()).containsExactly(one);
      assertThat(changed).containsExactly(seed);
      assertThat(source.get(seed)).isEmpty();
    } finally {
      source.close();
    }
  }
}
