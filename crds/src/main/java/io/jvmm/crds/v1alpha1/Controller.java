package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * libvirt {@code <controller>}: {@code type='pci'} with model pcie-root (index 0, the root
 * complex) or pcie-root-port (index N is PCI bus N, on the VMM command line pcie.N), or
 * {@code type='virtio-serial'}, the virtio-serial-pci device that carries consoles.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "index", "model", "alias", "address"})
@ValidationRule(value = "self.type == 'pci' ? has(self.model) : !has(self.model)",
    message = "model is required for pci controllers and not allowed for virtio-serial ones")
@ValidationRule(value = "!has(self.model) || self.model != 'pcie-root' || self.index == 0",
    message = "the pcie-root controller has index 0")
@ValidationRule(value = "!has(self.model) || self.model != 'pcie-root-port' || self.index > 0",
    message = "pcie-root-port indexes start at 1 (index 0 is the root complex)")
@ValidationRule(value = "!has(self.model) || self.model != 'pcie-root' || !has(self.address)",
    message = "the pcie-root controller has no address")
public class Controller {
  @Required
  @JsonPropertyDescription("Controller type: pci (PCIe root complex or root port) or virtio-serial (the"
      + " virtio-serial-pci device that carries consoles)")
  public Type type;

  @Required
  @Min(0)
  @Max(255)
  @JsonPropertyDescription("Controller index; for pci controllers the bus number devices name in address.bus")
  public Integer index;

  @JsonPropertyDescription("pci controllers only: pcie-root (index 0, the root complex) or pcie-root-port (index N"
      + " opens PCI bus N)")
  public Model model;

  public Alias alias;

  @JsonPropertyDescription("Where the controller sits; a root port without one gets a free slot on bus 0")
  public PciAddress address;

  public enum Type {
    @JsonProperty("pci") PCI,
    @JsonProperty("virtio-serial") VIRTIO_SERIAL
  }

  public enum Model {
    @JsonProperty("pcie-root") PCIE_ROOT,
    @JsonProperty("pcie-root-port") PCIE_ROOT_PORT
  }
}
