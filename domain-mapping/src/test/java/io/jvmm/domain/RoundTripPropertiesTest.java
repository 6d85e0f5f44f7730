package io.jvmm.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.jvmm.crds.v1alpha1.PciAddress;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Round trips over generated VMs, both ways: manifest YAML, VM to domain XML and back, and
 * domain XML to VM and back. "The same VM" is judged as libvirt and the API server would:
 * memory by its size in bytes, PCI address parts by their numeric value, an interface with a
 * bridge as type bridge. Every exported domain is also valid by libvirt's own schema.
 */
class RoundTripPropertiesTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Provide
  Arbitrary<VirtualMachine> domainVms() {
    return VirtualMachineArbitraries.domainVms();
  }

  @Provide
  Arbitrary<VirtualMachine> manifests() {
    return VirtualMachineArbitraries.manifests();
  }

  @Property(tries = 200)
  void manifestYamlRoundTripsExactly(@ForAll("manifests") VirtualMachine vm) throws Exception {
    String yaml = ManifestYaml.write(vm);
    VirtualMachine back = ManifestYaml.read(yaml.getBytes(StandardCharsets.UTF_8));
    assertThat((JsonNode) JSON.valueToTree(back)).as(yaml).isEqualTo((JsonNode) JSON.valueToTree(vm));
  }

  @Property(tries = 200)
  void vmToDomainXmlAndBackIsTheSameVm(@ForAll("domainVms") VirtualMachine vm) throws Exception {
    String xml = DomainXmlExporter.toXml(vm);
    VirtualMachine back = DomainXmlImporter.importXml(xml.getBytes(StandardCharsets.UTF_8), false).vm();
    assertThat(normalized(back)).as(xml).isEqualTo(normalized(vm));
  }

  @Property(tries = 200)
  void domainXmlToVmAndBackIsEquivalentXml(@ForAll("domainVms") VirtualMachine generated) throws Exception {
    String xml = DomainXmlExporter.toXml(generated);
    VirtualMachine vm = DomainXmlImporter.importXml(xml.getBytes(StandardCharsets.UTF_8), false).vm();
    String again = DomainXmlExporter.toXml(ManifestYaml.read(ManifestYaml.write(vm).getBytes(StandardCharsets.UTF_8)));
    assertThat(XmlEquivalence.canonical(again)).isEqualTo(XmlEquivalence.canonical(xml));
  }

  /** The VM as JSON with memory in bytes and PCI address parts as numbers. */
  static JsonNode normalized(VirtualMachine vm) {
    ObjectNode tree = JSON.valueToTree(vm);
    ObjectNode spec = (ObjectNode) tree.get("spec");
    spec.put("memory", MemorySize.bytes(vm.getSpec().memory).toString());
    if (spec.path("devices").isEmpty()) {
      spec.remove("devices"); // devices: {} and no devices are the same VM
    }
    numericAddresses(tree);
    // A tap on a bridge is type bridge, however the manifest spelled it (the seed: ethernet).
    for (JsonNode nic : spec.path("devices").path("interfaces")) {
      if (nic.path("source").hasNonNull("bridge")) {
        ((ObjectNode) nic).put("type", "bridge");
      }
    }
    return tree;
  }

  private static void numericAddresses(JsonNode node) {
    if (node.isArray()) {
      node.forEach(RoundTripPropertiesTest::numericAddresses);
      return;
    }
    if (!node.isObject()) {
      return;
    }
    ObjectNode object = (ObjectNode) node;
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().equals("address") && field.getValue().isObject()) {
        ObjectNode address = (ObjectNode) field.getValue();
        for (String part : List.of("domain", "bus", "slot", "function")) {
          JsonNode value = address.get(part);
          if (value != null && !value.isNull()) {
            IntOrString p = value.isInt() ? new IntOrString(value.intValue()) : new IntOrString(value.asText());
            address.put(part, PciAddress.valueOf(p));
          }
        }
      } else {
        numericAddresses(field.getValue());
      }
    }
  }
}
