package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Required;

/**
 * libvirt {@code <hostdev mode='subsystem' type='pci' managed='yes'>}: a host PCI function
 * passed through with VFIO (vfio-pci host=dddd:bb:ss.f).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"mode", "type", "managed", "driver", "source", "address"})
public class Hostdev {
  @Required
  @JsonPropertyDescription("Host device mode: subsystem (a device of a host bus)")
  public Mode mode;

  @Required
  @JsonPropertyDescription("Host bus: pci")
  public Type type;

  @JsonPropertyDescription("The node agent binds the function to vfio-pci before start and back after stop")
  public Boolean managed;

  @JsonPropertyDescription("<driver name>: the passthrough backend")
  public Driver driver;

  @Required
  @JsonPropertyDescription("<source>: the host PCI function passed through")
  public Source source;

  @JsonPropertyDescription("Guest address; a free root port is used when absent")
  public PciAddress address;

  public enum Mode {
    @JsonProperty("subsystem") SUBSYSTEM
  }

  public enum Type {
    @JsonProperty("pci") PCI
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Driver {
    @Required
    @JsonPropertyDescription("Passthrough backend: vfio (vfio-pci)")
    public DriverName name;
  }

  public enum DriverName {
    @JsonProperty("vfio") VFIO
  }

  /** {@code <source><address domain bus slot function/></source>}: the host function. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Source {
    @Required
    @JsonPropertyDescription("Host PCI address of the function")
    public PciAddress address;
  }
}
