package io.jvmm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.jvmm.crds.v1alpha1.Controller;
import io.jvmm.crds.v1alpha1.Disk;
import io.jvmm.crds.v1alpha1.NetworkInterface;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the node agent controls on the command line, and how devices are placed on PCI. */
class VmmCommandLineTest {
  static VirtualMachine seed() {
    return BadInputsTest.seed();
  }

  static boolean containsRun(List<String> args, String... run) {
    return Collections.indexOfSubList(args, List.of(run)) >= 0;
  }

  @Test
  void theNodeAgentChoosesSocketsStateDirAndSerial() throws Exception {
    VmmLaunchOptions options = VmmLaunchOptions.inStateDir(Path.of("/var/lib/jvmm/vms/ns/vm1"), Examples.seedRoots())
        .withQmpSocket(Path.of("/run/jvmm/vm1.qmp"))
        .withConsoleSocket(Path.of("/run/jvmm/vm1.console"))
        .withSerial("file:/var/log/jvmm/vm1.serial");
    List<String> args = VmmCommandLine.build(seed(), options).args();
    assertThat(containsRun(args, "-qmp", "unix:/run/jvmm/vm1.qmp,server,nowait")).isTrue();
    assertThat(containsRun(args, "-serial", "file:/var/log/jvmm/vm1.serial")).isTrue();
    assertThat(containsRun(args, "-chardev", "socket,path=/run/jvmm/vm1.console,server,nowait,id=charconsole0",
        "-device", "virtconsole,chardev=charconsole0,id=console0")).isTrue();
  }

  @Test
  void nvramWithoutPathLivesInTheStateDir() throws Exception {
    VirtualMachine vm = seed();
    vm.getSpec().os.nvram.path = null;
    List<String> args = VmmCommandLine.build(vm, SeedExamplesTest.OPTIONS).args();
    assertThat(containsRun(args, "-drive", "file=/run/jvmm/seed/OVMF_VARS.fd,if=pflash,unit=1")).isTrue();
  }

  @Test
  void initrdReadonlyDiskAndVhostNet() throws Exception {
    VirtualMachine vm = seed();
    vm.getSpec().os.initrd = "/path/to/initrd.img";
    vm.getSpec().devices.disks.get(0).readonly = true;
    vm.getSpec().devices.disks.get(0).iotune = null;
    vm.getSpec().devices.interfaces.get(0).driver = new NetworkInterface.Driver();
    vm.getSpec().devices.interfaces.get(0).driver.name = NetworkInterface.DriverName.VHOST;
    List<String> args = VmmCommandLine.build(vm, SeedExamplesTest.OPTIONS).args();
    assertThat(containsRun(args, "-kernel", "/path/to/standard_vm_kernel", "-initrd", "/path/to/initrd.img")).isTrue();
    assertThat(args).contains("file=/path/to/rootfs,id=drive-hda,format=raw,if=none,readonly=on",
        "tap,id=net0,ifname=tap0,script=no,downscript=no,vhost=on");
  }

  @Test
  void firmwareOnlyBootHasNoKernel() throws Exception {
    VirtualMachine vm = seed();
    vm.getSpec().os.kernel = null;
    vm.getSpec().os.cmdline = null;
    List<String> args = VmmCommandLine.build(vm, SeedExamplesTest.OPTIONS).args();
    assertThat(args).doesNotContain("-kernel", "-append").contains("file=/path/to/pflash,if=pflash,unit=0,readonly=on");
  }

  @Test
  void devicesWithoutAddressesTakeFreeRootPortsThenBusZero() throws Exception {
    VirtualMachine vm = seed();
    vm.getSpec().devices.controllers.removeIf(c -> c.model == Controller.Model.PCIE_ROOT_PORT && c.index > 1);
    vm.getSpec().devices.controllers.removeIf(c -> c.type == Controller.Type.VIRTIO_SERIAL);
    vm.getSpec().devices.consoles = null;
    vm.getSpec().devices.memballoon = null;
    vm.getSpec().devices.rngs = null;
    vm.getSpec().devices.vsock = null;
    vm.getSpec().devices.disks.get(0).address = null;
    vm.getSpec().devices.interfaces.get(0).address = null;
    List<String> args = VmmCommandLine.build(vm, SeedExamplesTest.OPTIONS).args();
    assertThat(args).contains("virtio-blk-pci,drive=drive-hda,id=hda,bus=pcie.1,addr=0x0,iothread=iothread1",
        "virtio-net-pci,netdev=net0,id=net0,mac=de:ad:be:ef:00:01,bus=pcie.0,addr=0x2",
        "vfio-pci,host=0000:03:00.0,id=hostdev0,bus=pcie.0,addr=0x3");
  }

  @Test
  void numericAndHexAddressesMeanTheSame() throws Exception {
    VirtualMachine vm = seed();
    vm.getSpec().devices.disks.get(0).address.bus = new IntOrString(1);
    vm.getSpec().devices.disks.get(0).address.slot = new IntOrString("0");
    assertThat(VmmCommandLine.build(vm, SeedExamplesTest.OPTIONS).args())
        .contains("virtio-blk-pci,drive=drive-hda,id=hda,bus=pcie.1,addr=0x0,iothread=iothread1");
  }

  @Test
  void aSymlinkInAnAllowedRootCannotLeadOutOfIt(@TempDir Path dir) throws IOException {
    Path root = Files.createDirectory(dir.resolve("images"));
    Path outside = Files.writeString(dir.resolve("secret.img"), "x");
    Path link = Files.createSymbolicLink(root.resolve("disk.img"), outside);
    Path inside = Files.writeString(root.resolve("real.img"), "x");
    NodePathPolicy policy = NodePathPolicy.allowing(List.of(root.toString()));
    assertThat(policy.refusal(inside.toString())).isNull();
    assertThat(policy.refusal(root.resolve("not-yet-there.img").toString())).isNull();
    assertThat(policy.refusal(link.toString())).isEqualTo("'" + link + "' resolves to '" + outside.toRealPath()
        + "', outside the allowed roots (" + root + ")");
    assertThat(policy.refusal(dir.resolve("imagesX/a.img").toString())).contains("is outside the allowed roots");
  }

  @Test
  void tooManyDevicesForTheCrdAreRefusedHereToo() {
    VirtualMachine vm = seed();
    for (int i = 0; i < 16; i++) {
      Disk d = new Disk();
      d.name = "disk" + i;
      d.type = Disk.Type.FILE;
      d.device = Disk.Device.DISK;
      d.source = new Disk.Source();
      d.source.file = "/path/to/d" + i;
      d.target = new Disk.Target();
      d.target.dev = "vd" + (char) ('a' + i);
      d.target.bus = Disk.Bus.VIRTIO;
      vm.getSpec().devices.disks.add(d);
    }
    InvalidVirtualMachineException e = catchThrowableOfType(InvalidVirtualMachineException.class,
        () -> VmmCommandLine.build(vm, SeedExamplesTest.OPTIONS));
    assertThat(e.problems()).first().hasToString("spec.devices.disks: 17 items; at most 16 are supported");
  }

  @Test
  void optionsAreCheckedWhenMade() {
    assertThatThrownBy(() -> VmmLaunchOptions.inStateDir(Path.of("relative"), Examples.seedRoots()))
        .hasMessage("state directory 'relative' is not absolute");
    assertThatThrownBy(() -> VmmLaunchOptions.inStateDir(Path.of("/s"), Examples.seedRoots()).withSerial("tcp:1"))
        .hasMessageStartingWith("serial backend 'tcp:1' is not one of");
  }

  @Test
  void shellQuoting() {
    assertThat(VmmCommandLine.quote("a b")).isEqualTo("'a b'");
    assertThat(VmmCommandLine.quote("it's")).isEqualTo("'it'\"'\"'s'");
    assertThat(VmmCommandLine.quote("file=/x,if=none")).isEqualTo("file=/x,if=none");
  }
}
