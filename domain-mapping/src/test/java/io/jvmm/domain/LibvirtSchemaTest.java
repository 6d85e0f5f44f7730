package io.jvmm.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.cluster.ThirdPartyJudges;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every domain jvmm exports is valid by libvirt's own RelaxNG schema, as Debian's libvirt0
 * ships it, judged by xmllint: the examples' manifests, the examples' domains imported and
 * exported again, and the VMs the round-trip properties generate.
 */
class LibvirtSchemaTest {
  /** Generated VMs per run: xmllint judges them all in one process. */
  private static final int GENERATED = 300;

  @TempDir
  Path dir;

  @Test
  void everyExportValidatesAgainstLibvirtsDomainSchema() throws Exception {
    Map<String, String> exports = new LinkedHashMap<>();
    for (String manifest : List.of("seed-vm.yaml", "seed-vm-aarch64.yaml", "guest-vm.yaml")) {
      exports.put("export-of-" + manifest, DomainXmlExporter.toXml(ManifestYaml.read(Examples.bytes(manifest))));
    }
    for (String domain : List.of("seed-vm.xml", "seed-vm-aarch64.xml")) {
      VirtualMachine vm = DomainXmlImporter.importXml(Examples.bytes(domain), false).vm();
      exports.put("reexport-of-" + domain, DomainXmlExporter.toXml(vm));
    }
    List<VirtualMachine> generated = VirtualMachineArbitraries.domainVms().sampleStream().limit(GENERATED).toList();
    for (int i = 0; i < generated.size(); i++) {
      exports.put("generated-" + i, DomainXmlExporter.toXml(generated.get(i)));
    }

    List<String> files = new ArrayList<>();
    for (Map.Entry<String, String> e : exports.entrySet()) {
      Path file = dir.resolve(e.getKey() + ".xml");
      Files.writeString(file, e.getValue());
      files.add(file.toString());
    }
    String report = xmllint(files);
    List<String> refused = report.lines().filter(l -> l.contains("fails to validate")).toList();
    assertThat(refused).as("xmllint --relaxng domain.rng:\n" + report).isEmpty();
    assertThat(report.lines().filter(l -> l.endsWith(" validates"))).hasSize(exports.size());
  }

  @Test
  void theSeedsOwnSpellingsAreWhatTheSchemaRefusesAndWhatExportNormalises() throws Exception {
    Path seed = dir.resolve("seed-vm.xml");
    Files.write(seed, Examples.bytes("seed-vm.xml"));
    String report = xmllint(List.of(seed.toString()));
    assertThat(report).as("the check can fail: the seed's own XML is refused").contains("fails to validate");

    String export = DomainXmlExporter.toXml(DomainXmlImporter.importXml(Examples.bytes("seed-vm.xml"), false).vm());
    assertThat(export).contains("<interface type=\"bridge\">").contains("function=\"0x0\"")
        .contains("domain=\"0x0000\" bus=\"0x01\" slot=\"0x00\"").doesNotContain("function=\"0x00\"");
  }

  private static String xmllint(List<String> files) throws IOException, InterruptedException {
    Path schema = ThirdPartyJudges.tool("libvirt-schemas").resolve("domain.rng");
    List<String> argv = new ArrayList<>(List.of("xmllint", "--noout", "--relaxng", schema.toString()));
    argv.addAll(files);
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return out;
  }
}
