package io.jvmm.crds.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.cluster.KubeControlPlane;
import io.jvmm.cluster.Kubectl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checked-in CRD on a real kube-apiserver: it is accepted (every CEL rule compiles and is
 * within the cost budget), the seed's VMs are accepted, and a bad manifest is refused at apply
 * time with the message the CRD gives.
 */
@KubeClusterTest
class CrdOnApiServerTest {
  static Path example(String name) {
    return Path.of(System.getProperty("jvmm.root", ".."), "examples", name);
  }

  static String seed() {
    try {
      return Files.readString(example("seed-vm.yaml"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theApiServerTakesTheCrd(KubeControlPlane plane) {
    assertThat(plane.refusedCrds()).isEmpty();
    Kubectl kubectl = plane.kubectl(plane.adminKubeconfig());
    assertThat(kubectl.run("get", "crd", VirtualMachine.CRD_NAME, "-o", "name").orThrow().stdout())
        .contains("customresourcedefinition.apiextensions.k8s.io/" + VirtualMachine.CRD_NAME);
  }

  @Test
  void theSeedVmsAreAccepted(ClusterNamespace ns) {
    for (String name : new String[] {"seed-vm.yaml", "seed-vm-aarch64.yaml"}) {
      Kubectl.Result r = ns.kubectl().run("apply", "-f", example(name).toString());
      assertThat(r.exitCode()).as(r.stderr()).isZero();
    }
    Kubectl.Result get = ns.kubectl().run("get", "vm", "stratovirt");
    assertThat(get.orThrow().stdout()).contains("8GiB", "4");
  }

  static Stream<Arguments> badManifests() {
    return Stream.of(
        Arguments.of("machine and arch", "machine: q35", "machine: virt",
            "machine must be q35 with arch x86_64 and virt with arch aarch64"),
        Arguments.of("multicast MAC", "address: de:ad:be:ef:00:01", "address: 01:ad:be:ef:00:01",
            "spec.devices.interfaces[0].mac.address in body should match"),
        // controllers are a map list keyed by type and index: the API server refuses the second entry
        Arguments.of("root port index twice", "index: 7", "index: 6",
            "spec.devices.controllers[6]: Duplicate value: {\"index\":6,\"type\":\"pci\"}"),
        Arguments.of("total and read IOPS together", "totalIopsSec: 1000", "totalIopsSec: 1000\n        readIopsSec: 10",
            "totalIopsSec excludes readIopsSec and writeIopsSec"),
        Arguments.of("bus too long a string", "bus: \"0x01\"", "bus: \"0x000001\"",
            "bus must be a number in 0..0xff, or a hex (0x..) or decimal string of at most 6 characters"),
        Arguments.of("slot out of range as a number", "slot: \"0x06\"", "slot: 40",
            "slot must be a number in 0..0x1f, or a hex (0x..) or decimal string of at most 6 characters"),
        Arguments.of("relative kernel path", "kernel: /path/to/standard_vm_kernel", "kernel: boot/vmlinux",
            "spec.os.kernel in body should match"),
        Arguments.of("'..' in a disk path", "file: /path/to/rootfs", "file: /path/to/../../etc/shadow",
            "file must not contain '..' segments"),
        Arguments.of("vsock CID auto and fixed", "auto: false", "auto: true",
            "set either auto: true or address (a fixed guest CID), not both"),
        Arguments.of("run state", "  vcpu: 4\n", "  vcpu: 4\n  runState: Sleeping\n",
            "Unsupported value: \"Sleeping\""),
        Arguments.of("gic on x86_64", "    acpi: true\n", "    acpi: true\n    gic:\n      version: 3\n",
            "features.gic goes with arch aarch64 (set gic.version 3) and not with x86_64 (remove it)"),
        Arguments.of("no acpi", "    acpi: true\n", "    acpi: false\n",
            "acpi must be true: the VMM describes standard VMs with ACPI tables"),
        Arguments.of("disk on a missing I/O thread", "  iothreads: 1\n", "  iothreads: 0\n",
            "a disk's driver.iothread must be one of 1..spec.iothreads"),
        Arguments.of("console without virtio-serial", "    - type: virtio-serial\n", "    - type: pci\n      model: pcie-root-port\n",
            "a virtio console needs a virtio-serial controller in controllers"),
        Arguments.of("no vCPU", "  vcpu: 4\n", "  vcpu: 0\n", "should be greater than or equal to 1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badManifests")
  void aBadManifestIsRefusedWithTheCrdMessage(String name, String from, String to, String message,
      ClusterNamespace ns) {
    String seed = seed();
    assertThat(seed).contains(from);
    Kubectl.Result r = ns.kubectl().runWithStdin(seed.replace(from, to), "apply", "--dry-run=server", "-f", "-");
    assertThat(r.exitCode()).as(r.stdout()).isNotZero();
    assertThat(r.stderr()).contains(message);
  }
}
