package io.jvmm.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Disk and interface names in domain XML: libvirt's user alias (ua-NAME) carries a name that is
 * not the target dev both ways; libvirt's own ids (virsh dumpxml of a running domain) are
 * dropped on import; a device without a name-worthy target dev gets netN.
 */
class DeviceNamesTest {
  private static VirtualMachine importSeedWith(String from, String to) throws Exception {
    return DomainXmlImporter.importXml(BadInputsTest.seedXmlWith(from, to).getBytes(StandardCharsets.UTF_8), false).vm();
  }

  @Test
  void theSeedsDevicesAreNamedAfterTheirTargetDevsAndExportWithoutAliases() throws Exception {
    VirtualMachine vm = DomainXmlImporter.importXml(Examples.bytes("seed-vm.xml"), false).vm();
    assertThat(vm.getSpec().devices.disks).extracting(d -> d.name).containsExactly("hda");
    assertThat(vm.getSpec().devices.interfaces).extracting(n -> n.name).containsExactly("tap0");
    assertThat(DomainXmlExporter.toXml(vm)).doesNotContain("ua-");
  }

  @Test
  void aUserAliasIsTheNameAndComesBackOnExport() throws Exception {
    VirtualMachine vm = importSeedWith("<target dev='hda' bus='virtio'/>",
        "<target dev='hda' bus='virtio'/><alias name='ua-root'/>");
    assertThat(vm.getSpec().devices.disks.get(0).name).isEqualTo("root");
    String xml = DomainXmlExporter.toXml(vm);
    assertThat(xml).contains("<alias name=\"ua-root\"/>");
    VirtualMachine again = DomainXmlImporter.importXml(xml.getBytes(StandardCharsets.UTF_8), false).vm();
    assertThat(again.getSpec().devices.disks.get(0).name).isEqualTo("root");
  }

  @Test
  void libvirtsOwnIdsAreDroppedAsVirshDefineDropsThem() throws Exception {
    VirtualMachine vm = importSeedWith("<target dev='tap0'/>", "<target dev='tap0'/><alias name='net0'/>");
    assertThat(vm.getSpec().devices.interfaces.get(0).name).isEqualTo("tap0");
  }

  @Test
  void aTapNameThatIsNoNameGivesNetN() throws Exception {
    VirtualMachine vm = importSeedWith("<target dev='tap0'/>", "<target dev='Tap_0'/>");
    assertThat(vm.getSpec().devices.interfaces.get(0).name).isEqualTo("net0");
    assertThat(DomainXmlExporter.toXml(vm)).contains("<alias name=\"ua-net0\"/>");
  }
}
