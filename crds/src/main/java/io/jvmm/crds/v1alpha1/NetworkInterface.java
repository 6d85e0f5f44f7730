package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * libvirt {@code <interface type='ethernet'|'bridge'>}: a tap device on the node as a
 * virtio-net-pci device. The node agent creates the tap and puts it on the source bridge.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "type", "mac", "source", "target", "model", "driver", "address"})
@ValidationRule(value = "self.type != 'bridge' || (has(self.source) && has(self.source.bridge))",
    message = "an interface of type bridge needs source.bridge")
public class NetworkInterface {
  @Required
  @Pattern(Quantities.DEVICE_NAME_PATTERN)
  @Size(max = Quantities.MAX_DEVICE_NAME_LENGTH)
  @JsonPropertyDescription("The interface's name, its key in interfaces (server-side apply merges interfaces by"
      + " name): a DNS label of at most 32 characters. Domain XML keeps it as <alias name='ua-NAME'/>; imported"
      + " without one, an interface is named after its target dev, or netN where that is no DNS label")
  public String name;

  @Required
  @JsonPropertyDescription("ethernet: a tap device named target.dev; bridge: a tap put on source.bridge")
  public Type type;

  @JsonPropertyDescription("<mac address>: the guest NIC's MAC address; validation requires one")
  public Mac mac;

  @JsonPropertyDescription("<source bridge>: the host bridge, for type bridge")
  public Source source;

  @Required
  @JsonPropertyDescription("<target dev>: the tap device on the node")
  public Target target;

  @JsonPropertyDescription("<model type>: the guest NIC model")
  public Model model;

  @JsonPropertyDescription("<driver name>: where the virtio-net data path runs")
  public Driver driver;

  public PciAddress address;

  public enum Type {
    @JsonProperty("ethernet") ETHERNET,
    @JsonProperty("bridge") BRIDGE
  }

  /** {@code <mac address='de:ad:be:ef:00:01'/>}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Mac {
    @Required
    @Pattern(Quantities.UNICAST_MAC_PATTERN)
    @Size(max = 17)
    @JsonPropertyDescription("Unicast MAC address, six hex octets separated by ':' (first octet even)")
    public String address;
  }

  /** {@code <source bridge='qbr0'/>}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Source {
    @Pattern("^[A-Za-z0-9_.:-]{1,15}$")
    @Size(max = 15)
    @JsonPropertyDescription("Host bridge the node agent attaches the tap device to")
    public String bridge;
  }

  /** {@code <target dev='tap0'/>}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Target {
    @Required
    @Pattern("^[A-Za-z0-9_.:-]{1,15}$")
    @Size(max = 15)
    @JsonPropertyDescription("Host tap device name (at most 15 characters, the kernel's IFNAMSIZ)")
    public String dev;
  }

  /** {@code <model type='virtio'/>}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Model {
    @Required
    @JsonPropertyDescription("NIC model: virtio (virtio-net-pci)")
    public ModelType type;
  }

  public enum ModelType {
    @JsonProperty("virtio") VIRTIO
  }

  /** {@code <driver name='vhost'/>}: the virtio-net data path in the host kernel. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Driver {
    @Required
    @JsonPropertyDescription("vhost (in the host kernel) or qemu (in the VMM)")
    public DriverName name;
  }

  public enum DriverName {
    @JsonProperty("vhost") VHOST,
    @JsonProperty("qemu") QEMU
  }
}
