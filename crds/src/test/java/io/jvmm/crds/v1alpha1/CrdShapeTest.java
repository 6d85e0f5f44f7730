package io.jvmm.crds.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the issue asks of the CRD, read from the generated YAML. */
class CrdShapeTest {
  static JsonNode crd;
  static JsonNode version;
  static JsonNode spec;

  @BeforeAll
  static void read() throws IOException {
    crd = new ObjectMapper(new YAMLFactory()).readTree(CrdDriftTest.generated().toFile());
    version = crd.at("/spec/versions/0");
    spec = version.at("/schema/openAPIV3Schema/properties/spec");
  }

  @Test
  void namesScopeAndSubresource() {
    assertThat(crd.at("/metadata/name").asText()).isEqualTo("virtualmachines.jvmm.io");
    assertThat(crd.at("/spec/group").asText()).isEqualTo("jvmm.io");
    assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
    assertThat(crd.at("/spec/names/kind").asText()).isEqualTo("VirtualMachine");
    assertThat(crd.at("/spec/names/shortNames/0").asText()).isEqualTo("vm");
    assertThat(version.at("/name").asText()).isEqualTo("v1alpha1");
    assertThat(version.at("/subresources/status").isObject()).isTrue();
  }

  @Test
  void printerColumns() {
    List<String> names = new ArrayList<>();
    version.at("/additionalPrinterColumns").forEach(c -> names.add(c.at("/name").asText()));
    // fabric8 7.9.0 writes printer columns sorted by jsonPath (a TreeMap), whatever the
    // declaration order, so kubectl shows Age, Memory, vCPUs, Node, State.
    assertThat(names).containsExactlyInAnyOrder("State", "Node", "vCPUs", "Memory", "Age");
  }

  @Test
  void constraintsAreThere() {
    assertThat(spec.at("/required").toString()).contains("memory", "vcpu", "os", "features");
    assertThat(spec.at("/properties/vcpu/minimum").asInt()).isEqualTo(1);
    assertThat(spec.at("/properties/runState/default").asText()).isEqualTo("Running");
    assertThat(spec.at("/properties/runState/enum").toString()).contains("Running", "Paused", "Stopped");
    assertThat(spec.at("/properties/os/x-kubernetes-validations").toString())
        .contains("machine must be q35 with arch x86_64 and virt with arch aarch64");
    JsonNode iface = spec.at("/properties/devices/properties/interfaces/items");
    assertThat(iface.at("/properties/mac/properties/address/pattern").asText())
        .isEqualTo(Quantities.UNICAST_MAC_PATTERN);
    JsonNode iotune = spec.at("/properties/devices/properties/disks/items/properties/iotune");
    assertThat(iotune.at("/x-kubernetes-validations").toString())
        .contains("totalIopsSec excludes readIopsSec and writeIopsSec");
    JsonNode bus = spec.at("/properties/devices/properties/disks/items/properties/address/properties/bus");
    assertThat(bus.at("/x-kubernetes-int-or-string").asBoolean()).isTrue();
    assertThat(spec.at("/properties/os/properties/kernel/pattern").asText()).startsWith("^/");
  }
}
