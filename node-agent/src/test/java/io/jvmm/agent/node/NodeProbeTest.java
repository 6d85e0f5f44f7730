package io.jvmm.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeProbeTest {
  @TempDir
  Path dir;

  @Test
  void readsTheHostsFactsLessTheReserve() throws Exception {
    Path meminfo = Files.writeString(dir.resolve("meminfo"), "MemTotal:        8192000 kB\nMemFree: 1 kB\n");
    Path kvm = Files.createFile(dir.resolve("kvm"));
    Path vfio = Files.createDirectories(dir.resolve("vfio-pci"));
    Files.createDirectories(vfio.resolve("0000:03:00.0"));
    Files.createDirectories(vfio.resolve("0000:81:00.1"));
    Files.createFile(vfio.resolve("bind"));
    Files.createFile(vfio.resolve("new_id"));

    NodeFacts facts = new NodeProbe("amd64", kvm, meminfo, vfio, 8, 1, 1L << 30).probe();

    assertThat(facts.arch()).isEqualTo("x86_64");
    assertThat(facts.kvm()).isTrue();
    assertThat(facts.allocatableVcpus()).isEqualTo(7);
    assertThat(facts.allocatableMemory()).isEqualTo(8192000L * 1024 - (1L << 30));
    assertThat(facts.passthroughDevices()).containsExactly("0000:03:00.0", "0000:81:00.1");
  }

  @Test
  void aHostWithoutKvmOrVfioOrRoomOffersNothing() {
    NodeFacts facts = new NodeProbe("aarch64", dir.resolve("no-kvm"), dir.resolve("no-meminfo"),
        dir.resolve("no-vfio"), 1, 2, 1L << 30).probe();
    assertThat(facts.arch()).isEqualTo("aarch64");
    assertThat(facts.kvm()).isFalse();
    assertThat(facts.allocatableVcpus()).isZero();
    assertThat(facts.allocatableMemory()).isZero();
    assertThat(facts.passthroughDevices()).isEmpty();
  }

  @Test
  void namesArchitecturesAsTheVmSpecDoes() {
    assertThat(NodeProbe.arch("x86_64")).isEqualTo("x86_64");
    assertThat(NodeProbe.arch("arm64")).isEqualTo("aarch64");
    assertThat(NodeProbe.arch("riscv64")).isEqualTo("riscv64");
  }
}
