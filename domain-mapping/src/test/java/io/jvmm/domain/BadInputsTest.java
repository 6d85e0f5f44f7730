package io.jvmm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.jvmm.crds.v1alpha1.Console;
import io.jvmm.crds.v1alpha1.Controller;
import io.jvmm.crds.v1alpha1.Disk;
import io.jvmm.crds.v1alpha1.Features;
import io.jvmm.crds.v1alpha1.NetworkInterface;
import io.jvmm.crds.v1alpha1.Os;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad VMs and bad documents, each with the exact messages a user gets. */
class BadInputsTest {
  static VirtualMachine seed() {
    try {
      return ManifestYaml.read(Examples.bytes("seed-vm.yaml"));
    } catch (InvalidVirtualMachineException e) {
      throw new IllegalStateException(e);
    }
  }

  static Arguments vm(String name, Consumer<VirtualMachine> change, String... problems) {
    return Arguments.of(name, change, List.of(problems));
  }

  static Stream<Arguments> badVms() {
    return Stream.of(
        vm("address on a bus with no controller",
            v -> v.getSpec().devices.disks.get(0).address.bus = new IntOrString("0x09"),
            "spec.devices.disks[0].address.bus: bus 0x09 names no controller; add a pcie-root-port controller of"
                + " index 9 to spec.devices.controllers, or use bus 0x00 or one of the root ports [0x01, 0x02,"
                + " 0x03, 0x04, 0x05, 0x06, 0x07]"),
        vm("two devices at one address",
            v -> v.getSpec().devices.rngs.get(0).address.bus = new IntOrString(4),
            "spec.devices.memballoon.address: bus 0x04 slot 0x00 is already used by spec.devices.rngs[0].address;"
                + " give each device its own address"),
        vm("root port index used twice",
            v -> v.getSpec().devices.controllers.get(6).index = 6,
            "spec.devices.controllers[6].index: index 6 is already used by spec.devices.controllers[5]; give each"
                + " pci controller its own index"),
        vm("disk on an I/O thread that does not exist",
            v -> v.getSpec().devices.disks.get(0).driver.iothread = 2,
            "spec.devices.disks[0].driver.iothread: I/O thread 2 does not exist; spec.iothreads is 1, so use 1..1"),
        vm("disk on an I/O thread with no iothreads",
            v -> v.getSpec().iothreads = null,
            "spec.devices.disks[0].driver.iothread: I/O thread 1 does not exist; set spec.iothreads to at least 1"
                + " or remove driver.iothread"),
        vm("console without a virtio-serial controller",
            v -> v.getSpec().devices.controllers.remove(7),
            "spec.devices.consoles[0]: a virtio console needs a virtio-serial controller; add {type: virtio-serial,"
                + " index: 0} to spec.devices.controllers"),
        vm("multicast MAC",
            v -> v.getSpec().devices.interfaces.get(0).mac.address = "01:00:5e:00:00:01",
            "spec.devices.interfaces[0].mac.address: 01:00:5e:00:00:01 is a multicast address (first octet odd);"
                + " a NIC needs a unicast one, e.g. 52:54:00:12:34:56"),
        vm("tap and bridge names a node would read as paths",
            v -> {
              v.getSpec().devices.interfaces.get(0).target.dev = "..";
              v.getSpec().devices.interfaces.get(0).source.bridge = "../eth0";
            },
            "spec.devices.interfaces[0].source.bridge: '../eth0' is not a bridge name; use at most 15 letters, digits,"
                + " '_', '.', ':' or '-', not '.' or '..'",
            "spec.devices.interfaces[0].target.dev: '..' is not a tap name; use at most 15 letters, digits, '_', '.',"
                + " ':' or '-', not '.' or '..'"),
        vm("MAC that is not one",
            v -> v.getSpec().devices.interfaces.get(0).mac.address = "de:ad:be:ef",
            "spec.devices.interfaces[0].mac.address: 'de:ad:be:ef' is not a MAC address; write six hex octets"
                + " separated by ':', e.g. 52:54:00:12:34:56"),
        vm("same MAC twice", v -> {
          NetworkInterface second = new NetworkInterface();
          second.name = "tap1";
          second.type = NetworkInterface.Type.ETHERNET;
          second.mac = new NetworkInterface.Mac();
          second.mac.address = "DE:AD:BE:EF:00:01";
          second.target = new NetworkInterface.Target();
          second.target.dev = "tap1";
          second.model = new NetworkInterface.Model();
          second.model.type = NetworkInterface.ModelType.VIRTIO;
          v.getSpec().devices.interfaces.add(second);
        }, "spec.devices.interfaces[1].mac.address: DE:AD:BE:EF:00:01 is already the MAC of"
            + " spec.devices.interfaces[0]; give each interface its own"),
        vm("disk without a name",
            v -> v.getSpec().devices.disks.get(0).name = null,
            "spec.devices.disks[0].name: missing; name it, e.g. vda (its target dev is a good name)"),
        vm("interface name that is no DNS label",
            v -> v.getSpec().devices.interfaces.get(0).name = "Tap_0",
            "spec.devices.interfaces[0].name: 'Tap_0' is not a name; use at most 32 lower-case letters, digits and"
                + " '-', starting and ending with a letter or digit, e.g. net0"),
        vm("two disks of one name", v -> {
          Disk second = seed().getSpec().devices.disks.get(0);
          second.target.dev = "vdb";
          second.address = null;
          v.getSpec().devices.disks.add(second);
        }, "spec.devices.disks[1].name: 'hda' is already the name of spec.devices.disks[0]; give each its own"),
        vm("x86_64 with the virt machine",
            v -> v.getSpec().os.machine = Os.Machine.VIRT,
            "spec.os.machine: virt is the aarch64 machine; x86_64 guests use q35"),
        vm("aarch64 with q35 and no gic",
            v -> v.getSpec().os.arch = Os.Arch.AARCH64,
            "spec.os.machine: q35 is the x86_64 machine; aarch64 guests use virt",
            "spec.features.gic: missing; aarch64 guests need the GICv3: set gic.version 3"),
        vm("gic on x86_64", v -> {
          v.getSpec().features.gic = new Features.Gic();
          v.getSpec().features.gic.version = 2;
        }, "spec.features.gic: a GIC is the aarch64 interrupt controller; remove it for x86_64",
            "spec.features.gic.version: 2 is not supported; the virt machine has GICv3: use 3"),
        vm("no acpi",
            v -> v.getSpec().features.acpi = null,
            "spec.features.acpi: must be true: the VMM describes standard VMs with ACPI tables"
                + " (<features><acpi/></features>)"),
        vm("relative kernel path",
            v -> v.getSpec().os.kernel = "vmlinux",
            "spec.os.kernel: 'vmlinux' is not an absolute path; write it from /"),
        vm("disk outside the allowed roots",
            v -> v.getSpec().devices.disks.get(0).source.file = "/etc/shadow",
            "spec.devices.disks[0].source.file: '/etc/shadow' is outside the allowed roots (/path/to); put the file"
                + " under one of them, or allow its directory on the node"),
        vm("rng backend climbing out with ..",
            v -> v.getSpec().devices.rngs.get(0).backend.path = "/path/to/../../dev/mem",
            "spec.devices.rngs[0].backend.path: '/path/to/../../dev/mem' has a '..' segment; write the path"
                + " without it"),
        vm("comma in an image path",
            v -> v.getSpec().devices.disks.get(0).source.file = "/path/to/a,format=qcow2",
            "spec.devices.disks[0].source.file: '/path/to/a,format=qcow2' contains ',', which separates options on"
                + " the VMM command line; rename the file"),
        vm("iotune limit the VMM lacks",
            v -> v.getSpec().devices.disks.get(0).iotune.readBytesSec = 1_000_000L,
            "spec.devices.disks[0].iotune.readBytesSec: the VMM limits total IOPS only; use totalIopsSec or remove"
                + " readBytesSec"),
        vm("automatic vsock CID",
            v -> v.getSpec().devices.vsock.cid.auto = true,
            "spec.devices.vsock.cid.auto: automatic CIDs are not supported; set auto false and a fixed address"
                + " (3 or more)"),
        vm("memory not in whole MiB",
            v -> v.getSpec().memory = "1000000000",
            "spec.memory: 1000000000 is not a whole number of MiB; the VMM takes memory in MiB"),
        vm("slot behind a root port",
            v -> v.getSpec().devices.disks.get(0).address.slot = new IntOrString("0x01"),
            "spec.devices.disks[0].address.slot: a pcie-root-port has a single slot; write slot 0x00"),
        vm("unreadable address part",
            v -> v.getSpec().devices.disks.get(0).address.bus = new IntOrString("0xzz"),
            "spec.devices.disks[0].address.bus: '0xzz' is not in 0..0xff; write a number, or a hex (0x..) or"
                + " decimal string"),
        vm("two consoles", v -> {
          Console second = new Console();
          second.type = Console.Type.PTY;
          second.target = new Console.Target();
          second.target.type = Console.TargetType.VIRTIO;
          v.getSpec().devices.consoles.add(second);
        }, "spec.devices.consoles[1]: the VMM has one console; remove the others"),
        vm("alias clashing with another device's id", v -> {
          v.getSpec().devices.memballoon.alias.name = "console0";
        }, "spec.devices.memballoon.alias.name: device id 'console0' is already the id of spec.devices.consoles[0];"
            + " give it another alias or name"),
        vm("everything at once: all problems reported", v -> {
          v.getSpec().os.kernel = "boot/vmlinux";
          v.getSpec().features.acpi = false;
          v.getSpec().devices.controllers.removeIf(c -> c.type == Controller.Type.VIRTIO_SERIAL);
          v.getSpec().devices.disks.get(0).driver.iothread = 3;
        }, "spec.os.kernel: 'boot/vmlinux' is not an absolute path; write it from /",
            "spec.features.acpi: must be true: the VMM describes standard VMs with ACPI tables"
                + " (<features><acpi/></features>)",
            "spec.devices.disks[0].driver.iothread: I/O thread 3 does not exist; spec.iothreads is 1, so use 1..1",
            "spec.devices.consoles[0]: a virtio console needs a virtio-serial controller; add {type: virtio-serial,"
                + " index: 0} to spec.devices.controllers"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badVms")
  void badVmGetsExactlyTheseProblems(String name, Consumer<VirtualMachine> change, List<String> expected) {
    VirtualMachine vm = seed();
    change.accept(vm);
    List<String> actual = new ArrayList<>();
    VirtualMachineValidator.validate(vm, Examples.seedRoots()).forEach(p -> actual.add(p.toString()));
    assertThat(actual).containsExactlyElementsOf(expected);
    InvalidVirtualMachineException refused = catchThrowableOfType(InvalidVirtualMachineException.class,
        () -> VmmCommandLine.build(vm, SeedExamplesTest.OPTIONS));
    assertThat(refused).as("the command line is refused too").isNotNull();
    assertThat(refused.problems()).map(Problem::toString).containsExactlyElementsOf(expected);
  }

  static String seedXmlWith(String from, String to) {
    String xml = Examples.read("seed-vm.xml");
    assertThat(xml).contains(from);
    return xml.replace(from, to);
  }

  static Stream<Arguments> badDocuments() {
    return Stream.of(
        Arguments.of("unsupported attribute", seedXmlWith("<disk type='file' device='disk'>",
            "<disk type='file' device='disk' snapshot='no'>"),
            List.of("/domain/devices/disk[1]/@snapshot: unsupported attribute snapshot")),
        Arguments.of("unsupported elements, all named", seedXmlWith("<vcpu>4</vcpu>",
            "<vcpu placement='static'>4</vcpu><cpu mode='host-passthrough'/><clock offset='utc'/>"),
            List.of("/domain/vcpu/@placement: unsupported attribute placement",
                "/domain/cpu: unsupported element <cpu>", "/domain/clock: unsupported element <clock>")),
        Arguments.of("unsupported value", seedXmlWith("<target dev='hda' bus='virtio'/>",
            "<target dev='sda' bus='scsi'/>"),
            List.of("/domain/devices/disk[1]/target/@bus: 'scsi' is not supported; use one of: virtio")),
        Arguments.of("vcpu not a number", seedXmlWith("<vcpu>4</vcpu>", "<vcpu>four</vcpu>"),
            List.of("/domain/vcpu: 'four' is not a whole number in 1..254")),
        Arguments.of("vcpu given twice", seedXmlWith("<vcpu>4</vcpu>", "<vcpu>4</vcpu><vcpu>8</vcpu>"),
            List.of("/domain/vcpu: <vcpu> appears 2 times in /domain; it may appear once")),
        Arguments.of("memory unit libvirt does not know", seedXmlWith("<memory unit='GiB'>8</memory>",
            "<memory unit='gigs'>8</memory>"),
            List.of("/domain/memory: unit 'gigs' is not a libvirt unit; use b, KiB, MiB, GiB, TiB, KB, MB, GB or TB;"
                + " write e.g. <memory unit='GiB'>8</memory>")),
        Arguments.of("not a KVM domain", seedXmlWith("<domain type='kvm'>", "<domain type='qemu'>"),
            List.of("/domain/@type: 'qemu' is not supported; jvmm runs KVM guests: write type='kvm'")),
        Arguments.of("drive address type", seedXmlWith(
            "<address type='pci' domain='0x000' bus='0x01' slot='0x00' function='0x00'/>",
            "<address type='drive' domain='0x000' bus='0x01' slot='0x00' function='0x00'/>"),
            List.of("/domain/devices/disk[1]/address/@type: 'drive' is not supported; jvmm devices sit on PCI: write"
                + " type='pci'")),
        Arguments.of("text where none belongs", seedXmlWith("<acpi/>", "<acpi>on</acpi>"),
            List.of("/domain/features/acpi: unsupported text 'on' (this element has no text content)")),
        Arguments.of("user alias that names nothing", seedXmlWith("<target dev='hda' bus='virtio'/>",
            "<target dev='hda' bus='virtio'/><alias name='ua-Root_Disk'/>"),
            List.of("/domain/devices/disk[1]/alias/@name: 'ua-Root_Disk' does not name the device: write ua- and a"
                + " name of at most 32 lower-case letters, digits and '-', e.g. ua-root")),
        Arguments.of("root element", "<vm/>", List.of("/vm: the root element must be <domain>, as in libvirt's"
            + " domain XML")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badDocuments")
  void badDomainXmlGetsExactlyTheseProblems(String name, String xml, List<String> expected) {
    InvalidVirtualMachineException e = catchThrowableOfType(InvalidVirtualMachineException.class,
        () -> DomainXmlImporter.importXml(xml.getBytes(StandardCharsets.UTF_8), false));
    assertThat(e).isNotNull();
    assertThat(e.problems()).map(Problem::toString).containsExactlyElementsOf(expected);
  }

  static Stream<Arguments> badManifests() {
    String seed = Examples.read("seed-vm.yaml");
    return Stream.of(
        Arguments.of("unknown fields, all named", seed.replace("        iothread: 1\n",
            "        iothread: 1\n        cache: none\n").replace("  vcpu: 4\n", "  vcpu: 4\n  cpus: 4\n"),
            List.of("spec.cpus: unknown field cpus; the VirtualMachine API (jvmm.io/v1alpha1) has no such field",
                "spec.devices.disks[0].driver.cache: unknown field cache; the VirtualMachine API (jvmm.io/v1alpha1)"
                    + " has no such field")),
        Arguments.of("wrong kind", seed.replace("kind: VirtualMachine", "kind: Pod"),
            List.of("kind: 'Pod' is not VirtualMachine")),
        Arguments.of("enum value the model lacks", seed.replace("runState", "runState").replace("  vcpu: 4\n",
            "  vcpu: 4\n  runState: Sleeping\n"),
            List.of("spec.runState: 'Sleeping' is not one of: Running, Paused, Stopped")),
        Arguments.of("PCI address part of the wrong shape", seed.replace("        bus: \"0x01\"\n",
            "        bus: [1]\n"),
            List.of("spec.devices.disks[0].address.bus: must be a number, or a hex (0x..) or decimal string")),
        Arguments.of("not a mapping", "- a\n- b\n", List.of("manifest: is not a YAML mapping; write a"
            + " VirtualMachine (apiVersion: jvmm.io/v1alpha1, kind: VirtualMachine)")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badManifests")
  void badManifestGetsExactlyTheseProblems(String name, String yaml, List<String> expected) {
    InvalidVirtualMachineException e = catchThrowableOfType(InvalidVirtualMachineException.class,
        () -> ManifestYaml.read(yaml.getBytes(StandardCharsets.UTF_8)));
    assertThat(e).isNotNull();
    assertThat(e.problems()).map(Problem::toString).containsExactlyElementsOf(expected);
  }
}
