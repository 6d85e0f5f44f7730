package io.jvmm.crds.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checks that keep a wrong map key from reaching the API server, which would refuse the CRD. */
class ListTypeMapTest {
  private final ListTypeMap listTypeMap = new ListTypeMap();

  /** An object schema with one list property "devices" whose items have a "name". */
  private static JSONSchemaProps devicesNamed(JSONSchemaProps name, String... required) {
    JSONSchemaProps items = new JSONSchemaPropsBuilder().withType("object")
        .addToProperties("name", name)
        .addToProperties("spec", new JSONSchemaPropsBuilder().withType("object").build())
        .withRequired(List.of(required)).build();
    return new JSONSchemaPropsBuilder().withType("object")
        .addToProperties("devices", new JSONSchemaPropsBuilder().withType("array").withNewItems()
            .withSchema(items).endItems().build())
        .build();
  }

  private static JSONSchemaProps string() {
    return new JSONSchemaPropsBuilder().withType("string").build();
  }

  @Test
  void aRequiredScalarKeyMakesTheListAMap() {
    JSONSchemaProps schema = listTypeMap.apply(devicesNamed(string(), "name"), "devices: name", null);

    JSONSchemaProps devices = schema.getProperties().get("devices");
    assertThat(devices.getXKubernetesListType()).isEqualTo("map");
    assertThat(devices.getXKubernetesListMapKeys()).containsExactly("name");
  }

  @Test
  void aDefaultedKeyIsTakenToo() {
    JSONSchemaProps defaulted = new JSONSchemaPropsBuilder().withType("string").withDefault(new TextNode("a")).build();

    JSONSchemaProps schema = listTypeMap.apply(devicesNamed(defaulted), "devices: name", null);

    assertThat(schema.getProperties().get("devices").getXKubernetesListType()).isEqualTo("map");
  }

  @Test
  void aKeyThatCanBeAbsentIsRefused() {
    assertThatThrownBy(() -> listTypeMap.apply(devicesNamed(string()), "devices: name", null))
        .hasMessageContaining("key 'name' of list 'devices' must be @Required or have a @Default");
  }

  @Test
  void aKeyThatIsNotAScalarPropertyOfTheItemsIsRefused() {
    assertThatThrownBy(() -> listTypeMap.apply(devicesNamed(string(), "name", "spec"), "devices: spec", null))
        .hasMessageContaining("key 'spec' of list 'devices' must be a scalar property of its items");
    assertThatThrownBy(() -> listTypeMap.apply(devicesNamed(string(), "name"), "devices: spec.dev", null))
        .hasMessageContaining("key 'spec.dev' of list 'devices' must be a scalar property of its items");
  }

  @Test
  void aPropertyThatIsNotAListIsRefused() {
    assertThatThrownBy(() -> listTypeMap.apply(devicesNamed(string(), "name"), "disks: name", null))
        .hasMessageContaining("'disks' is not a list property of [devices]");
    assertThatThrownBy(() -> listTypeMap.apply(devicesNamed(string(), "name"), "devices", null))
        .hasMessageContaining("is not 'property: key, key...'");
  }
}
