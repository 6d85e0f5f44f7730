package io.jvmm.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every configuration the seed shows (StratoVirt's libvirt guide), each in a minimal domain:
 * it imports, validates, exports back to equivalent XML, and lands where it should on the VMM
 * command line. Then the whole seed VM in examples/, both forms.
 */
class SeedExamplesTest {
  static final ObjectMapper YAML = new YAMLMapper();
  static final VmmLaunchOptions OPTIONS = VmmLaunchOptions.inStateDir(Path.of("/run/jvmm/seed"),
      Examples.seedRoots());

  static String domain(String memory, String arch, String machine, String os, String features, String top,
      String devices) {
    return "<domain type='kvm'>\n<name>seed</name>\n" + memory + "\n<vcpu>4</vcpu>\n" + top
        + "\n<os>\n<type arch='" + arch + "' machine='" + machine + "'>hvm</type>\n"
        + "<kernel>/path/to/standard_vm_kernel</kernel>\n"
        + "<cmdline>console=ttyS0 root=/dev/vda reboot=k panic=1 rw</cmdline>\n" + os + "</os>\n"
        + "<features>\n<acpi/>\n" + features + "</features>\n"
        + "<devices>\n<emulator>/path/to/StratoVirt_binary_file</emulator>\n" + devices + "</devices>\n</domain>\n";
  }

  static String x86(String top, String os, String devices) {
    return domain("<memory unit='GiB'>8</memory>", "x86_64", "q35", os, "", top, devices);
  }

  static Stream<Arguments> seedSnippets() {
    return Stream.of(
        Arguments.of("memory in GiB", x86("", "", ""), List.of("-m", "8192M")),
        Arguments.of("memory in MiB", domain("<memory unit='MiB'>8192</memory>", "x86_64", "q35", "", "", "", ""),
            List.of("-m", "8192M")),
        Arguments.of("vcpu", x86("", "", ""), List.of("-smp", "4")),
        Arguments.of("x86_64 with q35", x86("", "", ""), List.of("-machine", "q35", "-accel", "kvm")),
        Arguments.of("kernel and cmdline", x86("", "", ""), List.of("-kernel", "/path/to/standard_vm_kernel",
            "-append", "console=ttyS0 root=/dev/vda reboot=k panic=1 rw")),
        Arguments.of("aarch64 with virt and gic", domain("<memory unit='GiB'>8</memory>", "aarch64", "virt", "",
            "<gic version='3'/>\n", "", ""), List.of("-machine", "virt")),
        Arguments.of("balloon", x86("", "", """
            <controller type='pci' index='4' model='pcie-root-port' />
            <memballoon model='virtio'>
                <alias name='balloon0'/>
                <address type='pci' domain='0x000' bus='0x04' slot='0x00' function='0x00'/>
            </memballoon>
            """), List.of("-device", "pcie-root-port,id=pcie.4,port=0x4,bus=pcie.0,addr=0x4,chassis=4",
            "-device", "virtio-balloon-pci,id=balloon0,bus=pcie.4,addr=0x0")),
        Arguments.of("pflash", x86("", """
            <loader readonly='yes' type='pflash'>/path/to/pflash</loader>
            <nvram template='/path/to/OVMF_VARS'>/path/to/OVMF_VARS</nvram>
            """, ""), List.of("-drive", "file=/path/to/pflash,if=pflash,unit=0,readonly=on",
            "-drive", "file=/path/to/OVMF_VARS,if=pflash,unit=1")),
        Arguments.of("iothreads", x86("<iothreads>1</iothreads>", "", ""), List.of("-object", "iothread,id=iothread1")),
        Arguments.of("disk", x86("<iothreads>1</iothreads>", "", """
            <controller type='pci' index='1' model='pcie-root-port' />
            <disk type='file' device='disk'>
                <driver name='qemu'  type='raw' iothread='1'/>
                <source file='/path/to/rootfs'/>
                <target dev='hda' bus='virtio'/>
                <iotune>
                    <total_iops_sec>1000</total_iops_sec>
                </iotune>
                <address type='pci' domain='0x000' bus='0x01' slot='0x00' function='0x00'/>
            </disk>
            """), List.of("-drive", "file=/path/to/rootfs,id=drive-hda,format=raw,if=none,iops=1000",
            "-device", "virtio-blk-pci,drive=drive-hda,id=hda,bus=pcie.1,addr=0x0,iothread=iothread1")),
        Arguments.of("network interface", x86("", "", """
            <controller type='pci' index='2' model='pcie-root-port' />
            <interface type='ethernet'>
                <mac address='de:ad:be:ef:00:01'/>
                <source bridge='qbr0'/>
                <target dev='tap0'/>
                <model type='virtio'/>
                <address type='pci' domain='0x000' bus='0x02' slot='0x00' function='0x00'/>
            </interface>
            """), List.of("-netdev", "tap,id=net0,ifname=tap0,script=no,downscript=no",
            "-device", "virtio-net-pci,netdev=net0,id=net0,mac=de:ad:be:ef:00:01,bus=pcie.2,addr=0x0")),
        Arguments.of("console", x86("", "", """
            <controller type='pci' index='3' model='pcie-root-port' />
            <controller type='virtio-serial' index='0'>
                <alias name='virt-serial0'/>
                <address type='pci' domain='0x000' bus='0x03' slot='0x00' function='0x00'/>
            </controller>
            <console type='pty'>
                <target type='virtio' port='0'/>
                <alias name='console0'/>
            </console>
            """), List.of("-device", "virtio-serial-pci,id=virt-serial0,bus=pcie.3,addr=0x0",
            "-chardev", "pty,id=charconsole0", "-device", "virtconsole,chardev=charconsole0,id=console0")),
        Arguments.of("vhost-vsock", x86("", "", """
            <controller type='pci' index='6' model='pcie-root-port' />
            <vsock model='virtio'>
                <cid auto='no' address='3'/>
                <address type='pci' domain='0x000' bus='0x00' slot='0x06' function='0x00'/>
            </vsock>
            """), List.of("-device", "vhost-vsock-pci,id=vsock0,guest-cid=3,bus=pcie.0,addr=0x6")),
        Arguments.of("rng", x86("", "", """
            <controller type='pci' index='5' model='pcie-root-port' />
            <rng model='virtio'>
                <rate period='1000' bytes='1234'/>
                <backend model='random'>/path/to/random_file</backend>
                <address type='pci' domain='0x000' bus='0x05' slot='0x00' function='0x00'/>
            </rng>
            """), List.of("-object", "rng-random,id=objrng0,filename=/path/to/random_file", "-device",
            "virtio-rng-pci,rng=objrng0,max-bytes=1234,period=1000,id=rng0,bus=pcie.5,addr=0x0")),
        Arguments.of("vfio passthrough", x86("", "", """
            <controller type='pci' index='7' model='pcie-root-port' />
            <hostdev mode='subsystem' type='pci' managed='yes'>
            <driver name='vfio'/>
            <source>
                <address domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>
            </source>
            </hostdev>
            """), List.of("-device", "vfio-pci,host=0000:03:00.0,id=hostdev0,bus=pcie.7,addr=0x0")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("seedSnippets")
  void seedSnippetImportsValidatesRoundTripsAndLandsOnTheCommandLine(String name, String xml, List<String> argv)
      throws Exception {
    VirtualMachine vm = DomainXmlImporter.importXml(xml.getBytes(StandardCharsets.UTF_8), false).vm();
    assertThat(VirtualMachineValidator.validate(vm, Examples.seedRoots())).isEmpty();
    assertThat(XmlEquivalence.canonical(DomainXmlExporter.toXml(vm))).isEqualTo(XmlEquivalence.canonical(xml));
    VirtualMachine again = ManifestYaml.read(ManifestYaml.write(vm).getBytes(StandardCharsets.UTF_8));
    assertThat(XmlEquivalence.canonical(DomainXmlExporter.toXml(again))).isEqualTo(XmlEquivalence.canonical(xml));
    List<String> args = VmmCommandLine.build(vm, OPTIONS).args();
    assertThat(Collections.indexOfSubList(args, argv)).as("%s in %s", argv, args).isNotNegative();
  }

  @Test
  void seedVmXmlImportsToTheCheckedInManifest() throws Exception {
    VirtualMachine vm = DomainXmlImporter.importXml(Examples.bytes("seed-vm.xml"), false).vm();
    JsonNode imported = YAML.readTree(ManifestYaml.write(vm));
    JsonNode checkedIn = YAML.readTree(Examples.read("seed-vm.yaml"));
    assertThat(imported).isEqualTo(checkedIn);
    assertThat(vm.getMetadata().getName()).isEqualTo("stratovirt");
    assertThat(vm.getMetadata().getAnnotations()).containsEntry(VirtualMachine.DOMAIN_NAME_ANNOTATION, "StratoVirt");
  }

  @Test
  void seedVmManifestExportsToEquivalentXml() throws Exception {
    for (String stem : List.of("seed-vm", "seed-vm-aarch64")) {
      VirtualMachine vm = ManifestYaml.read(Examples.bytes(stem + ".yaml"));
      assertThat(XmlEquivalence.canonical(DomainXmlExporter.toXml(vm)))
          .as(stem).isEqualTo(XmlEquivalence.canonical(Examples.read(stem + ".xml")));
      assertThat(VirtualMachineValidator.validate(vm, Examples.seedRoots())).as(stem).isEmpty();
    }
  }

  @Test
  void seedVmCommandLine() throws Exception {
    VirtualMachine vm = ManifestYaml.read(Examples.bytes("seed-vm.yaml"));
    VmmCommandLine cmd = VmmCommandLine.build(vm, OPTIONS);
    assertThat(cmd.program()).isEqualTo("/path/to/StratoVirt_binary_file");
    assertThat(cmd.args()).containsExactly(
        "-name", "stratovirt", "-machine", "q35", "-accel", "kvm", "-m", "8192M", "-smp", "4",
        "-drive", "file=/path/to/pflash,if=pflash,unit=0,readonly=on",
        "-drive", "file=/path/to/OVMF_VARS,if=pflash,unit=1",
        "-kernel", "/path/to/standard_vm_kernel",
        "-append", "console=ttyS0 root=/dev/vda reboot=k panic=1 rw",
        "-nodefaults", "-no-user-config", "-nographic",
        "-qmp", "unix:/run/jvmm/seed/qmp.sock,server,nowait",
        "-serial", "unix:/run/jvmm/seed/serial.sock,server,nowait",
        "-object", "iothread,id=iothread1",
        "-device", "pcie-root-port,id=pcie.1,port=0x1,bus=pcie.0,addr=0x1,chassis=1",
        "-device", "pcie-root-port,id=pcie.2,port=0x2,bus=pcie.0,addr=0x2,chassis=2",
        "-device", "pcie-root-port,id=pcie.3,port=0x3,bus=pcie.0,addr=0x3,chassis=3",
        "-device", "pcie-root-port,id=pcie.4,port=0x4,bus=pcie.0,addr=0x4,chassis=4",
        "-device", "pcie-root-port,id=pcie.5,port=0x5,bus=pcie.0,addr=0x5,chassis=5",
        // The seed's vsock holds slot 6 of bus 0, so root port 6 takes the first free slot.
        "-device", "pcie-root-port,id=pcie.6,port=0x6,bus=pcie.0,addr=0x8,chassis=6",
        "-device", "pcie-root-port,id=pcie.7,port=0x7,bus=pcie.0,addr=0x7,chassis=7",
        "-drive", "file=/path/to/rootfs,id=drive-hda,format=raw,if=none,iops=1000",
        "-device", "virtio-blk-pci,drive=drive-hda,id=hda,bus=pcie.1,addr=0x0,iothread=iothread1",
        "-netdev", "tap,id=net0,ifname=tap0,script=no,downscript=no",
        "-device", "virtio-net-pci,netdev=net0,id=net0,mac=de:ad:be:ef:00:01,bus=pcie.2,addr=0x0",
        "-device", "virtio-serial-pci,id=virt-serial0,bus=pcie.3,addr=0x0",
        "-chardev", "pty,id=charconsole0",
        "-device", "virtconsole,chardev=charconsole0,id=console0",
        "-object", "rng-random,id=objrng0,filename=/path/to/random_file",
        "-device", "virtio-rng-pci,rng=objrng0,max-bytes=1234,period=1000,id=rng0,bus=pcie.5,addr=0x0",
        "-device", "virtio-balloon-pci,id=balloon0,bus=pcie.4,addr=0x0",
        "-device", "vhost-vsock-pci,id=vsock0,guest-cid=3,bus=pcie.0,addr=0x6",
        // No guest address: the lowest root port nothing sits behind.
        "-device", "vfio-pci,host=0000:03:00.0,id=hostdev0,bus=pcie.6,addr=0x0");
  }

  /** StratoVirt's own example domain (docs/stratovirt_x86.xml) has hugepages, which jvmm lacks. */
  static final String STRATOVIRT_X86 = x86("<memoryBacking><hugepages><page size='1' unit='GiB'/></hugepages>"
      + "</memoryBacking>\n<iothreads>1</iothreads>", "", """
      <controller type='pci' index='0' model='pcie-root' />
      <controller type='pci' index='6' model='pcie-root-port' />
      <vsock model='virtio'>
          <cid auto='no' address='3'/>
          <address type='pci' domain='0x000' bus='0x06' slot='0x00' function='0x00'/>
      </vsock>
      """);

  @Test
  void unsupportedElementIsRefusedByNameOrDroppedWithAWarningWhenLenient() throws Exception {
    byte[] xml = STRATOVIRT_X86.getBytes(StandardCharsets.UTF_8);
    assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(InvalidVirtualMachineException.class,
        () -> DomainXmlImporter.importXml(xml, false)).problems())
        .containsExactly(new Problem("/domain/memoryBacking", "unsupported element <memoryBacking>"));
    DomainXmlImporter.Imported lenient = DomainXmlImporter.importXml(xml, true);
    assertThat(lenient.warnings()).containsExactly(new Problem("/domain/memoryBacking",
        "dropped (--lenient): unsupported element <memoryBacking>"));
    assertThat(VirtualMachineValidator.validate(lenient.vm(), Examples.seedRoots())).isEmpty();
    assertThat(VmmCommandLine.build(lenient.vm(), OPTIONS).args())
        .contains("pcie-root-port,id=pcie.6,port=0x6,bus=pcie.0,addr=0x6,chassis=6",
            "vhost-vsock-pci,id=vsock0,guest-cid=3,bus=pcie.6,addr=0x0");
  }
}
