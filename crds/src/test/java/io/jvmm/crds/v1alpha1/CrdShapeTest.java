package io.jvmm.crds.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Condition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    List<String> shown = new ArrayList<>();
    List<String> wide = new ArrayList<>();
    version.at("/additionalPrinterColumns").forEach(c ->
        (c.at("/priority").asInt() == 0 ? shown : wide).add(c.at("/name").asText()));
    // fabric8 7.9.0 writes printer columns sorted by jsonPath (a TreeMap), whatever the
    // declaration order, so kubectl shows Age first.
    assertThat(shown).containsExactlyInAnyOrder("Ready", "State", "Node", "vCPUs", "Memory", "Age");
    assertThat(wide).containsExactlyInAnyOrder("Reason", "RunState", "QMP", "CID");
  }

  /** kubectl explain prints these; an empty one leaves users to guess units and allowed values. */
  @Test
  void everyPropertyHasADescription() {
    List<String> undescribed = new ArrayList<>();
    collectUndescribed(version.at("/schema/openAPIV3Schema"), "<root>", undescribed);
    assertThat(undescribed).as("properties without a description").isEmpty();
  }

  private static void collectUndescribed(JsonNode schema, String path, List<String> undescribed) {
    if (schema.path("description").asText().isBlank()) {
      undescribed.add(path);
    }
    // A list's description is on the list; its items are described field by field.
    JsonNode fields = schema.has("items") ? schema.at("/items/properties") : schema.path("properties");
    fields.fields().forEachRemaining(f -> collectUndescribed(f.getValue(), path + "." + f.getKey(), undescribed));
    JsonNode values = schema.at("/additionalProperties/properties");
    values.fields().forEachRemaining(f -> collectUndescribed(f.getValue(), path + ".*." + f.getKey(), undescribed));
  }

  /** Server-side apply merges these entry by entry; keys must be required, or the API server refuses the CRD. */
  @Test
  void namedListsAreMapsKeyedByRequiredFields() {
    Map<JsonNode, List<String>> keysByList = Map.of(
        spec.at("/properties/devices/properties/controllers"), List.of("type", "index"),
        version.at("/schema/openAPIV3Schema/properties/status/properties/conditions"), List.of("type"));
    keysByList.forEach((list, keys) -> {
      assertThat(list.at("/x-kubernetes-list-type").asText()).isEqualTo("map");
      List<String> mapKeys = new ArrayList<>();
      list.at("/x-kubernetes-list-map-keys").forEach(k -> mapKeys.add(k.asText()));
      assertThat(mapKeys).containsExactlyElementsOf(keys);
      List<String> required = new ArrayList<>();
      list.at("/items/required").forEach(r -> required.add(r.asText()));
      assertThat(required).containsAll(keys);
    });
  }

  /** ConditionSchema only describes fabric8's Condition: a field missing there would be pruned from status. */
  @Test
  void theConditionSchemaHasExactlyConditionsFields() {
    ObjectMapper json = new ObjectMapper();
    List<String> conditionFields = json.getSerializationConfig()
        .introspect(json.constructType(Condition.class)).findProperties().stream()
        .map(BeanPropertyDefinition::getName).toList();
    List<String> schemaFields = new ArrayList<>();
    version.at("/schema/openAPIV3Schema/properties/status/properties/conditions/items/properties")
        .fieldNames().forEachRemaining(schemaFields::add);
    assertThat(schemaFields).containsExactlyInAnyOrderElementsOf(conditionFields);
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
