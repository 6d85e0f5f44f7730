package io.jvmm.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineSpec;
import io.jvmm.domain.NodeExclusiveResources.Resource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeExclusiveResourcesTest {

  @Test
  void theSeedVmHoldsItsCidItsTapAndItsHostDevice() throws Exception {
    VirtualMachine vm = ManifestYaml.read(Examples.bytes("seed-vm.yaml"));

    assertThat(NodeExclusiveResources.of(vm.getSpec())).containsExactly(
        new Resource("vsock CID 3", "spec.devices.vsock.cid.address"),
        new Resource("tap tap0", "spec.devices.interfaces[0].target.dev"),
        new Resource("host PCI device 0000:03:00.0", "spec.devices.hostdevs[0].source.address"));
  }

  @Test
  void aClashNamesTheFieldTheHolderAndTheFix() throws Exception {
    List<Resource> seed = NodeExclusiveResources.of(ManifestYaml.read(Examples.bytes("seed-vm.yaml")).getSpec());

    assertThat(NodeExclusiveResources.clash(seed, Map.of("tap tap0", "default/other")))
        .contains(new Problem("spec.devices.interfaces[0].target.dev",
            "tap tap0 is held by VM default/other on this node; choose another or stop that VM"));
    assertThat(NodeExclusiveResources.clash(seed, Map.of("tap tap2", "default/other"))).isEmpty();
  }

  @Test
  void aSpecWithoutDevicesHoldsNothing() {
    assertThat(NodeExclusiveResources.of(new VirtualMachineSpec())).isEmpty();
    assertThat(NodeExclusiveResources.of(null)).isEmpty();
  }
}
