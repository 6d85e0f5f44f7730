package io.jvmm.agent.vmm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.agent.VmKey;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.InvalidVirtualMachineException;
import io.jvmm.domain.ManifestYaml;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What refuses a VM before any tap is made (a /sys/class/net of the test's own). */
class VmmTapsTest {
  @TempDir
  Path dir;

  private VirtualMachine vm(String bridge) throws Exception {
    return ManifestYaml.read(String.join("\n",
        "apiVersion: jvmm.io/v1alpha1",
        "kind: VirtualMachine",
        "metadata: {name: web}",
        "spec:",
        "  memory: 256MiB",
        "  vcpu: 1",
        "  os: {arch: x86_64, machine: q35, kernel: /k}",
        "  devices:",
        "    interfaces:",
        "    - {name: net0, type: ethernet, mac: {address: '52:54:00:00:00:01'}, target: {dev: tapweb0}"
            + (bridge == null ? "" : ", source: {bridge: " + bridge + "}") + "}",
        "").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aMissingBridgeAnotherUsersTapOrADeviceThatIsNoTapRefusesTheVm() throws Exception {
    Path net = Files.createDirectories(dir.resolve("net"));
    VmmTaps taps = new VmmTaps(net);
    StateDirectory state = new StateDirectory(dir.resolve("vms"), new VmKey("ns", "web"));

    assertThatThrownBy(() -> taps.create(state, vm("br-missing"), 4242, 4242))
        .isInstanceOf(InvalidVirtualMachineException.class)
        .hasMessageContaining("spec.devices.interfaces[0].source.bridge: there is no bridge 'br-missing' on this node");

    Files.createDirectories(net.resolve("tapweb0"));
    assertThatThrownBy(() -> taps.create(state, vm(null), 4242, 4242))
        .hasMessageContaining("spec.devices.interfaces[0].target.dev: 'tapweb0' is a network device of this node that"
            + " is not a tap");

    Files.writeString(net.resolve("tapweb0/tun_flags"), "0x5002\n");
    Files.writeString(net.resolve("tapweb0/owner"), "4343\n");
    assertThatThrownBy(() -> taps.create(state, vm(null), 4242, 4242))
        .hasMessageContaining("the tap 'tapweb0' belongs to user 4343, not this VM's (4242)");
  }
}
