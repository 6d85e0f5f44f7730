package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** libvirt {@code <disk type='file' device='disk'>}: a raw image file as a virtio-blk-pci device. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "type", "device", "driver", "source", "target", "readonly", "iotune", "address"})
public class Disk {
  @Required
  @Pattern(Quantities.DEVICE_NAME_PATTERN)
  @Size(max = Quantities.MAX_DEVICE_NAME_LENGTH)
  @JsonPropertyDescription("The disk's name, its key in disks (server-side apply merges disks by name): a DNS label"
      + " of at most 32 characters. Domain XML keeps it as <alias name='ua-NAME'/>; imported without one, a"
      + " disk is named after its target dev")
  public String name;

  @Required
  @JsonPropertyDescription("Disk source type: file")
  public Type type;

  @Required
  @JsonPropertyDescription("Disk device: disk")
  public Device device;

  @JsonPropertyDescription("<driver>: the block layer (qemu), image format (raw) and the I/O thread serving the disk")
  public Driver driver;

  @Required
  @JsonPropertyDescription("<source file>: the image file on the node")
  public Source source;

  @Required
  @JsonPropertyDescription("<target dev bus>: the disk's name in the domain and its bus")
  public Target target;

  @JsonPropertyDescription("<readonly/>: the guest may not write the disk")
  public Boolean readonly;

  @JsonPropertyDescription("<iotune>: I/O limits; the VMM applies totalIopsSec only and validation refuses the others")
  public Iotune iotune;

  public PciAddress address;

  public enum Type {
    @JsonProperty("file") FILE
  }

  public enum Device {
    @JsonProperty("disk") DISK
  }

  /** {@code <driver name='qemu' type='raw' iothread='1'/>}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"name", "type", "iothread"})
  public static class Driver {
    @JsonPropertyDescription("Driver name: qemu, as libvirt names the VMM's own block layer")
    public DriverName name;

    @JsonPropertyDescription("Image format: raw")
    public Format type;

    @Min(1)
    @JsonPropertyDescription("I/O thread serving the disk, 1..spec.iothreads")
    public Integer iothread;
  }

  public enum DriverName {
    @JsonProperty("qemu") QEMU
  }

  public enum Format {
    @JsonProperty("raw") RAW
  }

  /** {@code <source file='/path/to/rootfs'/>}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Source {
    @Required
    @Pattern(Quantities.ABSOLUTE_PATH_PATTERN)
  @Size(max = Quantities.MAX_PATH_LENGTH)
    @ValidationRule(value = Quantities.NO_DOT_DOT_RULE, message = "file must not contain '..' segments")
    @JsonPropertyDescription("Absolute path of the image on the node")
    public String file;
  }

  /** {@code <target dev='hda' bus='virtio'/>}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"dev", "bus"})
  public static class Target {
    @Required
    @Pattern("^[a-z][a-z0-9]{1,15}$")
    @Size(max = 16)
    @JsonPropertyDescription("Device name as libvirt knows it (hda, vda...); also the device id on the VMM command line")
    public String dev;

    @Required
    @JsonPropertyDescription("Bus: virtio")
    public Bus bus;
  }

  public enum Bus {
    @JsonProperty("virtio") VIRTIO
  }
}
