package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** libvirt {@code <rng model='virtio'>}: virtio-rng-pci fed from a file on the node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"model", "rate", "backend", "address"})
public class Rng {
  @Required
  @JsonPropertyDescription("RNG model: virtio (virtio-rng-pci)")
  public Model model;

  @JsonPropertyDescription("<rate>: how much entropy the guest may read; unlimited when absent")
  public Rate rate;

  @Required
  @JsonPropertyDescription("<backend>: where the entropy comes from on the node")
  public Backend backend;

  public PciAddress address;

  public enum Model {
    @JsonProperty("virtio") VIRTIO
  }

  /** {@code <rate period='1000' bytes='1234'/>}: at most bytes per period milliseconds. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"period", "bytes"})
  public static class Rate {
    @Min(1)
    @Max(1000000)
    @JsonPropertyDescription("Period in milliseconds, 1000 when absent")
    public Long period;

    @Required
    @Min(64)
    @Max(1000000000)
    @JsonPropertyDescription("Bytes the guest may read per period")
    public Long bytes;
  }

  /** {@code <backend model='random'>/dev/urandom</backend>}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"model", "path"})
  public static class Backend {
    @Required
    @JsonPropertyDescription("Backend model: random (read from the file at path)")
    public BackendModel model;

    @Required
    @Pattern(Quantities.ABSOLUTE_PATH_PATTERN)
  @Size(max = Quantities.MAX_PATH_LENGTH)
    @ValidationRule(value = Quantities.NO_DOT_DOT_RULE, message = "path must not contain '..' segments")
    @JsonPropertyDescription("File on the node the entropy is read from")
    public String path;
  }

  public enum BackendModel {
    @JsonProperty("random") RANDOM
  }
}
