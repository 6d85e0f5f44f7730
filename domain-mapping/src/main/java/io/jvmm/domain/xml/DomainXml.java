package io.jvmm.domain.xml;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlElementWrapper;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of libvirt's domain XML (formatdomain) that jvmm supports, as jackson-dataformat-xml
 * binds it: every value a string, exactly as written, so that the importer can say what is
 * wrong with it and the exporter writes what it was given. These classes are also the list of
 * supported elements and attributes: {@link DomainXmlSchema} reads it from their fields.
 */
@JacksonXmlRootElement(localName = "domain")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "name", "memory", "vcpu", "iothreads", "os", "features", "on_poweroff", "on_reboot",
    "on_crash", "devices"})
public class DomainXml {
  @JacksonXmlProperty(isAttribute = true)
  public String type;
  public Text name;
  public Memory memory;
  public Text vcpu;
  public Text iothreads;
  public Os os;
  public Features features;
  /** What the guest's power-off, reboot and crash do: destroy or restart. */
  @JacksonXmlProperty(localName = "on_poweroff")
  public Text onPoweroff;
  @JacksonXmlProperty(localName = "on_reboot")
  public Text onReboot;
  @JacksonXmlProperty(localName = "on_crash")
  public Text onCrash;
  public Devices devices;

  /** An element whose only content is text: {@code <vcpu>4</vcpu>}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Text {
    @JacksonXmlText
    public String value;

    public Text() {
    }

    public Text(String value) {
      this.value = value;
    }

    public static Text of(Object value) {
      return value == null ? null : new Text(String.valueOf(value));
    }
  }

  /** An element whose presence is its meaning: {@code <acpi/>}, {@code <readonly/>}. */
  public static class Flag {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"unit", "value"})
  public static class Memory {
    @JacksonXmlProperty(isAttribute = true)
    public String unit;
    @JacksonXmlText
    public String value;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"type", "kernel", "initrd", "cmdline", "loader", "nvram"})
  public static class Os {
    public OsType type;
    public Text kernel;
    public Text initrd;
    public Text cmdline;
    public Loader loader;
    public Nvram nvram;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"arch", "machine", "value"})
  public static class OsType {
    @JacksonXmlProperty(isAttribute = true)
    public String arch;
    @JacksonXmlProperty(isAttribute = true)
    public String machine;
    @JacksonXmlText
    public String value;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"readonly", "type", "path"})
  public static class Loader {
    @JacksonXmlProperty(isAttribute = true)
    public String readonly;
    @JacksonXmlProperty(isAttribute = true)
    public String type;
    @JacksonXmlText
    public String path;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"template", "path"})
  public static class Nvram {
    @JacksonXmlProperty(isAttribute = true)
    public String template;
    @JacksonXmlText
    public String path;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"acpi", "gic"})
  public static class Features {
    public Flag acpi;
    public Gic gic;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Gic {
    @JacksonXmlProperty(isAttribute = true)
    public String version;
  }

  /**
   * {@code <devices>}: libvirt lets device elements come in any order, so a list may be split
   * by others (the seed puts the virtio-serial controller after disk and interface); each
   * setter appends instead of replacing, which jackson-dataformat-xml would otherwise do.
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyOrder({"emulator", "controller", "disk", "interface", "console", "vsock", "rng", "hostdev",
      "memballoon"})
  public static class Devices {
    public Text emulator;

    @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "controller")
    private final List<Controller> controller = new ArrayList<>();

    @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "disk")
    private final List<Disk> disk = new ArrayList<>();

    @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "interface")
    private final List<Interface> iface = new ArrayList<>();

    @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "console")
    private final List<Console> console = new ArrayList<>();

    @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "vsock")
    private final List<Vsock> vsock = new ArrayList<>();

    @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "rng")
    private final List<Rng> rng = new ArrayList<>();

    @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "hostdev")
    private final List<Hostdev> hostdev = new ArrayList<>();

    @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "memballoon")
    private final List<Memballoon> memballoon = new ArrayList<>();

    @JsonSetter("controller")
    void addControllers(List<Controller> more) {
      controller.addAll(more);
    }

    @JsonSetter("disk")
    void addDisks(List<Disk> more) {
      disk.addAll(more);
    }

    @JsonSetter("interface")
    void addInterfaces(List<Interface> more) {
      iface.addAll(more);
    }

    @JsonSetter("console")
    void addConsoles(List<Console> more) {
      console.addAll(more);
    }

    @JsonSetter("vsock")
    void addVsocks(List<Vsock> more) {
      vsock.addAll(more);
    }

    @JsonSetter("rng")
    void addRngs(List<Rng> more) {
      rng.addAll(more);
    }

    @JsonSetter("hostdev")
    void addHostdevs(List<Hostdev> more) {
      hostdev.addAll(more);
    }

    @JsonSetter("memballoon")
    void addMemballoons(List<Memballoon> more) {
      memballoon.addAll(more);
    }

    public List<Controller> controllers() {
      return controller;
    }

    public List<Disk> disks() {
      return disk;
    }

    public List<Interface> interfaces() {
      return iface;
    }

    public List<Console> consoles() {
      return console;
    }

    public List<Vsock> vsocks() {
      return vsock;
    }

    public List<Rng> rngs() {
      return rng;
    }

    public List<Hostdev> hostdevs() {
      return hostdev;
    }

    public List<Memballoon> memballoons() {
      return memballoon;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"type", "domain", "bus", "slot", "function"})
  public static class Address {
    @JacksonXmlProperty(isAttribute = true)
    public String type;
    @JacksonXmlProperty(isAttribute = true)
    public String domain;
    @JacksonXmlProperty(isAttribute = true)
    public String bus;
    @JacksonXmlProperty(isAttribute = true)
    public String slot;
    @JacksonXmlProperty(isAttribute = true)
    public String function;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Alias {
    @JacksonXmlProperty(isAttribute = true)
    public String name;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"type", "index", "model", "alias", "address"})
  public static class Controller {
    @JacksonXmlProperty(isAttribute = true)
    public String type;
    @JacksonXmlProperty(isAttribute = true)
    public String index;
    @JacksonXmlProperty(isAttribute = true)
    public String model;
    public Alias alias;
    public Address address;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"type", "device", "driver", "source", "target", "readonly", "iotune", "alias", "address"})
  public static class Disk {
    @JacksonXmlProperty(isAttribute = true)
    public String type;
    @JacksonXmlProperty(isAttribute = true)
    public String device;
    public DiskDriver driver;
    public DiskSource source;
    public DiskTarget target;
    public Flag readonly;
    public Iotune iotune;
    public Alias alias;
    public Address address;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"name", "type", "iothread"})
  public static class DiskDriver {
    @JacksonXmlProperty(isAttribute = true)
    public String name;
    @JacksonXmlProperty(isAttribute = true)
    public String type;
    @JacksonXmlProperty(isAttribute = true)
    public String iothread;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class DiskSource {
    @JacksonXmlProperty(isAttribute = true)
    public String file;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"dev", "bus"})
  public static class DiskTarget {
    @JacksonXmlProperty(isAttribute = true)
    public String dev;
    @JacksonXmlProperty(isAttribute = true)
    public String bus;
  }

  /**
   * {@code <iotune>}: one text element per limit, named as in
   * {@link io.jvmm.crds.v1alpha1.Iotune#XML_NAMES}; that map is the list of supported ones.
   */
  public static class Iotune {
    private final Map<String, String> limits = new LinkedHashMap<>();

    @JsonAnySetter
    public void put(String element, String value) {
      limits.put(element, value);
    }

    @JsonAnyGetter
    public Map<String, String> limits() {
      return limits;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"type", "mac", "source", "target", "model", "driver", "alias", "address"})
  public static class Interface {
    @JacksonXmlProperty(isAttribute = true)
    public String type;
    public Mac mac;
    public InterfaceSource source;
    public InterfaceTarget target;
    public Model model;
    public Driver driver;
    public Alias alias;
    public Address address;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Mac {
    @JacksonXmlProperty(isAttribute = true)
    public String address;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class InterfaceSource {
    @JacksonXmlProperty(isAttribute = true)
    public String bridge;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class InterfaceTarget {
    @JacksonXmlProperty(isAttribute = true)
    public String dev;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Model {
    @JacksonXmlProperty(isAttribute = true)
    public String type;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Driver {
    @JacksonXmlProperty(isAttribute = true)
    public String name;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"type", "target", "alias"})
  public static class Console {
    @JacksonXmlProperty(isAttribute = true)
    public String type;
    public ConsoleTarget target;
    public Alias alias;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"type", "port"})
  public static class ConsoleTarget {
    @JacksonXmlProperty(isAttribute = true)
    public String type;
    @JacksonXmlProperty(isAttribute = true)
    public String port;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"model", "cid", "address"})
  public static class Vsock {
    @JacksonXmlProperty(isAttribute = true)
    public String model;
    public Cid cid;
    public Address address;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"auto", "address"})
  public static class Cid {
    @JacksonXmlProperty(isAttribute = true)
    public String auto;
    @JacksonXmlProperty(isAttribute = true)
    public String address;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"model", "rate", "backend", "address"})
  public static class Rng {
    @JacksonXmlProperty(isAttribute = true)
    public String model;
    public Rate rate;
    public Backend backend;
    public Address address;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"period", "bytes"})
  public static class Rate {
    @JacksonXmlProperty(isAttribute = true)
    public String period;
    @JacksonXmlProperty(isAttribute = true)
    public String bytes;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"model", "path"})
  public static class Backend {
    @JacksonXmlProperty(isAttribute = true)
    public String model;
    @JacksonXmlText
    public String path;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"mode", "type", "managed", "driver", "source", "address"})
  public static class Hostdev {
    @JacksonXmlProperty(isAttribute = true)
    public String mode;
    @JacksonXmlProperty(isAttribute = true)
    public String type;
    @JacksonXmlProperty(isAttribute = true)
    public String managed;
    public Driver driver;
    public HostdevSource source;
    public Address address;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HostdevSource {
    public Address address;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"model", "alias", "address"})
  public static class Memballoon {
    @JacksonXmlProperty(isAttribute = true)
    public String model;
    public Alias alias;
    public Address address;
  }
}
