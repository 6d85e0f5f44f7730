package io.jvmm.domain;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * VirtualMachine manifests in YAML (or JSON, which is YAML). Reading refuses fields the model
 * does not have, naming each, as the API server's strict field validation would.
 */
public final class ManifestYaml {
  private static final ObjectMapper WRITER = YAMLMapper.builder(YAMLFactory.builder()
          .stringQuotingChecker(new NumberLikeQuoting())
          .build())
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .build();

  /**
   * PCI address parts are kept as libvirt wrote them ("0x000"); unquoted, YAML 1.1 readers
   * (kubectl's among them) take 0x000 for the number 0 and 01:02 for a base-60 number. Any
   * string that a YAML reader could take for a number is written in quotes.
   */
  static final class NumberLikeQuoting extends StringQuotingChecker.Default {
    private static final java.util.regex.Pattern NUMBER_LIKE =
        java.util.regex.Pattern.compile("[-+]?(0[xXoObB][0-9a-fA-F_]*|[0-9][0-9_:.eE+-]*|\\.[0-9].*)");

    @Override
    public boolean needToQuoteValue(String value) {
      return NUMBER_LIKE.matcher(value).matches() || super.needToQuoteValue(value);
    }
  }

  private ManifestYaml() {
  }

  public static String write(VirtualMachine vm) {
    try {
      return WRITER.writeValueAsString(vm);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("writing the manifest failed", e);
    }
  }

  public static VirtualMachine read(byte[] yaml) throws InvalidVirtualMachineException {
    LoaderOptions limits = new LoaderOptions();
    // The default alias limit (50) already stops "billion laughs"; bound the size as for XML.
    limits.setCodePointLimit(io.jvmm.domain.xml.DomainXmlReader.MAX_BYTES);
    List<Problem> unknown = new ArrayList<>();
    ObjectMapper reader = YAMLMapper.builder(YAMLFactory.builder().loaderOptions(limits).build())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .addHandler(new DeserializationProblemHandler() {
          @Override
          public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
              JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws IOException {
            unknown.add(new Problem(path(p.getParsingContext()), "unknown field " + propertyName
                + "; the VirtualMachine API (jvmm.io/v1alpha1) has no such field"));
            p.skipChildren();
            return true;
          }
        })
        .build();
    List<Problem> problems = new ArrayList<>();
    VirtualMachine vm;
    try {
      // apiVersion and kind from the document itself: the model answers its own for any input.
      com.fasterxml.jackson.databind.JsonNode tree = reader.readTree(yaml);
      if (tree == null || !tree.isObject()) {
        throw new InvalidVirtualMachineException(new Problem("manifest", "is not a YAML mapping; write a"
            + " VirtualMachine (apiVersion: " + VirtualMachine.API_VERSION + ", kind: VirtualMachine)"));
      }
      String apiVersion = tree.path("apiVersion").asText(null);
      String kind = tree.path("kind").asText(null);
      if (!VirtualMachine.API_VERSION.equals(apiVersion)) {
        problems.add(new Problem("apiVersion", "'" + apiVersion + "' is not " + VirtualMachine.API_VERSION));
      }
      if (!VirtualMachine.KIND.equals(kind)) {
        problems.add(new Problem("kind", "'" + kind + "' is not " + VirtualMachine.KIND));
      }
      vm = reader.readValue(yaml, VirtualMachine.class);
    } catch (com.fasterxml.jackson.databind.exc.InvalidFormatException e) {
      String path = path(e.getPath());
      if (e.getTargetType() != null && e.getTargetType().isEnum()) {
        @SuppressWarnings("unchecked")
        Class<? extends Enum<?>> type = (Class<? extends Enum<?>>) e.getTargetType();
        throw new InvalidVirtualMachineException(new Problem(path, "'" + e.getValue() + "' is not one of: "
            + EnumNames.allowed(type)));
      }
      throw new InvalidVirtualMachineException(new Problem(path, "'" + e.getValue() + "' cannot be read as "
          + e.getTargetType().getSimpleName()));
    } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
      if (String.valueOf(e.getOriginalMessage()).contains("IntOrString")) {
        throw new InvalidVirtualMachineException(new Problem(path(e.getPath()), "must be a number, or a hex (0x..)"
            + " or decimal string"));
      }
      throw new InvalidVirtualMachineException(new Problem(path(e.getPath()), "cannot be read: "
          + e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      String at = e.getLocation() == null ? "manifest"
          : "manifest line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new InvalidVirtualMachineException(new Problem(at, "cannot be read: " + e.getOriginalMessage()));
    } catch (IOException e) {
      throw new InvalidVirtualMachineException(new Problem("manifest", "cannot be read: " + e.getMessage()));
    }
    if (vm == null) {
      throw new InvalidVirtualMachineException(new Problem("manifest", "is empty; write a VirtualMachine"));
    }
    problems.addAll(0, unknown);
    if (vm.getSpec() == null) {
      problems.add(new Problem("spec", "missing; a VirtualMachine needs spec.memory, spec.vcpu, spec.os and"
          + " spec.features"));
    }
    if (!problems.isEmpty()) {
      throw new InvalidVirtualMachineException(problems);
    }
    return vm;
  }

  /** spec.devices.disks[0] from an exception's reference chain. */
  private static String path(List<com.fasterxml.jackson.databind.JsonMappingException.Reference> refs) {
    StringBuilder out = new StringBuilder();
    for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        out.append('[').append(r.getIndex()).append(']');
      }
    }
    return out.length() == 0 ? "manifest" : out.toString();
  }

  /** spec.devices.disks[0] from the parser's context, the form kubectl's errors use. */
  private static String path(JsonStreamContext context) {
    List<String> parts = new ArrayList<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.add(0, "[" + c.getCurrentIndex() + "]");
      } else if (c.getCurrentName() != null) {
        parts.add(0, "." + c.getCurrentName());
      }
    }
    String path = String.join("", parts);
    return path.startsWith(".") ? path.substring(1) : path;
  }
}
