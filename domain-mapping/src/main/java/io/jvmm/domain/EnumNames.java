package io.jvmm.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The names the model's enums have in YAML and XML (their {@link JsonProperty} values). */
final class EnumNames {
  private EnumNames() {
  }

  static String name(Enum<?> value) {
    try {
      JsonProperty p = value.getDeclaringClass().getField(value.name()).getAnnotation(JsonProperty.class);
      return p != null ? p.value() : value.name();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The constant named {@code text}, or null when there is none. */
  static <E extends Enum<E>> E parse(Class<E> type, String text) {
    for (E e : type.getEnumConstants()) {
      if (name(e).equals(text)) {
        return e;
      }
    }
    return null;
  }

  static String allowed(Class<? extends Enum<?>> type) {
    return Arrays.stream(type.getEnumConstants()).map(EnumNames::name).collect(Collectors.joining(", "));
  }
}
