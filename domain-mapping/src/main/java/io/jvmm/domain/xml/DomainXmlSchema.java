package io.jvmm.domain.xml;

import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlText;
import io.jvmm.crds.v1alpha1.Iotune;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which elements and attributes jvmm supports, read from the fields of {@link DomainXml}'s
 * classes, so that the binding and the check for unsupported names cannot disagree.
 */
final class DomainXmlSchema {
  /** The root, {@code <domain>}. */
  static final DomainXmlSchema DOMAIN = of(DomainXml.class);

  final Set<String> attributes = new LinkedHashSet<>();
  final Map<String, DomainXmlSchema> children = new LinkedHashMap<>();
  /** Children that may repeat (the device lists); any other child may appear once. */
  final Set<String> repeatable = new LinkedHashSet<>();
  boolean text;

  private static DomainXmlSchema of(Class<?> type) {
    DomainXmlSchema schema = new DomainXmlSchema();
    if (type == DomainXml.Iotune.class) {
      for (String limit : Iotune.XML_NAMES.values()) {
        DomainXmlSchema leaf = new DomainXmlSchema();
        leaf.text = true;
        schema.children.put(limit, leaf);
      }
      return schema;
    }
    for (Field field : type.getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers())) {
        continue;
      }
      if (field.isAnnotationPresent(JacksonXmlText.class)) {
        schema.text = true;
        continue;
      }
      JacksonXmlProperty property = field.getAnnotation(JacksonXmlProperty.class);
      String name = property != null && !property.localName().isEmpty() ? property.localName() : field.getName();
      if (property != null && property.isAttribute()) {
        schema.attributes.add(name);
      } else if (List.class.isAssignableFrom(field.getType())) {
        Class<?> item = (Class<?>) ((ParameterizedType) field.getGenericType()).getActualTypeArguments()[0];
        schema.children.put(name, of(item));
        schema.repeatable.add(name);
      } else {
        schema.children.put(name, of(field.getType()));
      }
    }
    return schema;
  }
}
