package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Required;

/** libvirt {@code <memballoon model='virtio'>}: virtio-balloon-pci. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"model", "alias", "address"})
public class Memballoon {
  @Required
  @JsonPropertyDescription("Balloon model: virtio (virtio-balloon-pci)")
  public Model model;

  public Alias alias;

  public PciAddress address;

  public enum Model {
    @JsonProperty("virtio") VIRTIO
  }
}
