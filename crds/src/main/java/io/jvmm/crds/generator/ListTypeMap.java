package io.jvmm.crds.generator;

import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Makes a list property of the annotated class's schema {@code x-kubernetes-list-type: map} with
 * its {@code x-kubernetes-list-map-keys}, so that server-side apply merges the list entry by
 * entry (two field managers can each own their own entries) and the API server refuses two
 * entries with the same keys. fabric8's generator has no annotation for these extensions; this
 * is its {@link SchemaCustomizer} hook, run while the CRD is generated (never at run time):
 *
 * <pre>{@code @SchemaCustomizer(value = ListTypeMap.class, input = "controllers: type, index")}</pre>
 *
 * The API server accepts a key only if it is a scalar property of the items that is required
 * or has a default; this checks that here, so that a wrong key fails the build and not the
 * CRD's installation.
 */
public final class ListTypeMap implements SchemaCustomizer.Customizer {
  private static final Set<String> NOT_SCALAR = Set.of("object", "array");

  @Override
  public JSONSchemaProps apply(JSONSchemaProps schema, String input, KubernetesSerialization serialization) {
    String[] propertyAndKeys = input.split(":", 2);
    if (propertyAndKeys.length != 2) {
      throw new IllegalArgumentException("ListTypeMap input '" + input + "' is not 'property: key, key...'");
    }
    String property = propertyAndKeys[0].trim();
    List<String> keys = Arrays.stream(propertyAndKeys[1].split(",")).map(String::trim).toList();
    JSONSchemaProps list = schema.getProperties() == null ? null : schema.getProperties().get(property);
    if (list == null || !"array".equals(list.getType()) || list.getItems() == null
        || list.getItems().getSchema() == null) {
      throw new IllegalArgumentException("ListTypeMap: '" + property + "' is not a list property of "
          + (schema.getProperties() == null ? "this schema" : schema.getProperties().keySet()));
    }
    JSONSchemaProps items = list.getItems().getSchema();
    for (String key : keys) {
      JSONSchemaProps keySchema = items.getProperties() == null ? null : items.getProperties().get(key);
      if (keySchema == null || NOT_SCALAR.contains(keySchema.getType())) {
        throw new IllegalArgumentException("ListTypeMap: key '" + key + "' of list '" + property
            + "' must be a scalar property of its items (the API server supports no nested keys)");
      }
      boolean required = items.getRequired() != null && items.getRequired().contains(key);
      if (!required && keySchema.getDefault() == null) {
        throw new IllegalArgumentException("ListTypeMap: key '" + key + "' of list '" + property
            + "' must be @Required or have a @Default: the API server refuses map keys that can be absent");
      }
    }
    list.setXKubernetesListType("map");
    list.setXKubernetesListMapKeys(keys);
    return schema;
  }
}
