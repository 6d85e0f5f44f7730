package io.jvmm.domain;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.jvmm.crds.v1alpha1.Alias;
import io.jvmm.crds.v1alpha1.Console;
import io.jvmm.crds.v1alpha1.Controller;
import io.jvmm.crds.v1alpha1.Devices;
import io.jvmm.crds.v1alpha1.Disk;
import io.jvmm.crds.v1alpha1.Features;
import io.jvmm.crds.v1alpha1.Hostdev;
import io.jvmm.crds.v1alpha1.Iotune;
import io.jvmm.crds.v1alpha1.Memballoon;
import io.jvmm.crds.v1alpha1.NetworkInterface;
import io.jvmm.crds.v1alpha1.Os;
import io.jvmm.crds.v1alpha1.PciAddress;
import io.jvmm.crds.v1alpha1.Rng;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineSpec;
import io.jvmm.crds.v1alpha1.Vsock;
import io.jvmm.domain.xml.DomainXml;
import io.jvmm.domain.xml.DomainXmlReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * libvirt domain XML to VirtualMachine. Values are checked for form here (a number where a
 * number belongs, a supported enum value); whether the VM as a whole makes sense is
 * {@link VirtualMachineValidator}'s job. Every problem found is reported, with its XML path.
 */
public final class DomainXmlImporter {
  private final ProblemList problems = new ProblemList();

  private DomainXmlImporter() {
  }

  /** A domain converted, and the warnings of a lenient import (what was dropped). */
  public record Imported(VirtualMachine vm, List<Problem> warnings) {
  }

  /** Reads and converts a domain XML document. */
  public static Imported importXml(byte[] xml, boolean lenient) throws InvalidVirtualMachineException {
    DomainXmlReader.Result read = DomainXmlReader.read(xml, lenient);
    List<Problem> warnings = new ArrayList<>();
    for (Problem dropped : read.dropped()) {
      warnings.add(new Problem(dropped.path(), "dropped (--lenient): " + dropped.message()));
    }
    return new Imported(toVirtualMachine(read.domain()), warnings);
  }

  /** Converts a bound domain; throws with every problem when any value cannot be used. */
  public static VirtualMachine toVirtualMachine(DomainXml domain) throws InvalidVirtualMachineException {
    DomainXmlImporter importer = new DomainXmlImporter();
    VirtualMachine vm = importer.convert(domain);
    importer.problems.throwIfAny();
    return vm;
  }

  private VirtualMachine convert(DomainXml d) {
    VirtualMachine vm = new VirtualMachine();
    VirtualMachineSpec spec = new VirtualMachineSpec();
    vm.setSpec(spec);
    vm.setStatus(null);
    if (d.type == null) {
      problems.add("/domain/@type", "missing; jvmm runs KVM guests: write <domain type='kvm'>");
    } else if (!d.type.equals("kvm")) {
      problems.add("/domain/@type", "'" + d.type + "' is not supported; jvmm runs KVM guests: write type='kvm'");
    }
    vm.setMetadata(metadata(d.name));
    if (d.memory == null) {
      problems.add("/domain/memory", "missing; write e.g. <memory unit='GiB'>8</memory>");
    } else {
      try {
        spec.memory = MemorySize.fromLibvirt(d.memory.value, d.memory.unit);
      } catch (IllegalArgumentException e) {
        problems.add("/domain/memory", e.getMessage() + "; write e.g. <memory unit='GiB'>8</memory>");
      }
    }
    if (d.vcpu == null) {
      problems.add("/domain/vcpu", "missing; write the number of vCPUs, e.g. <vcpu>4</vcpu>");
    } else {
      spec.vcpu = integer(d.vcpu.value, "/domain/vcpu", 1, 254);
    }
    if (d.iothreads != null) {
      spec.iothreads = integer(d.iothreads.value, "/domain/iothreads", 0, 64);
    }
    spec.os = os(d.os);
    spec.features = features(d.features);
    LifecycleActions.Policies policies = LifecycleActions.fromDomain(d.onPoweroff == null ? null : text(d.onPoweroff.value),
        d.onReboot == null ? null : text(d.onReboot.value), d.onCrash == null ? null : text(d.onCrash.value), problems);
    spec.restartPolicy = policies.restart();
    spec.rebootPolicy = policies.reboot();
    if (d.devices != null) {
      spec.emulator = d.devices.emulator == null ? null : text(d.devices.emulator.value);
      Devices devices = devices(d.devices);
      // <devices> that holds only <emulator> has no devices: the manifest leaves the field out.
      spec.devices = hasNone(devices) ? null : devices;
    }
    return vm;
  }

  private ObjectMeta metadata(DomainXml.Text name) {
    ObjectMeta meta = new ObjectMeta();
    String domainName = name == null ? null : text(name.value);
    if (domainName == null) {
      problems.add("/domain/name", "missing; write the VM's name, e.g. <name>vm1</name>");
      return meta;
    }
    String k8sName = KubernetesNames.fromDomainName(domainName);
    if (k8sName == null) {
      problems.add("/domain/name", "'" + domainName + "' has no letter or digit to make a Kubernetes name from");
      return meta;
    }
    meta.setName(k8sName);
    if (!k8sName.equals(domainName)) {
      meta.setAnnotations(new java.util.LinkedHashMap<>(Map.of(VirtualMachine.DOMAIN_NAME_ANNOTATION, domainName)));
    }
    return meta;
  }

  private Os os(DomainXml.Os x) {
    if (x == null) {
      problems.add("/domain/os", "missing; write <os><type arch='x86_64' machine='q35'>hvm</type>...</os>");
      return null;
    }
    Os os = new Os();
    if (x.type == null) {
      problems.add("/domain/os/type", "missing; write <type arch='x86_64' machine='q35'>hvm</type>");
    } else {
      os.arch = choice(Os.Arch.class, x.type.arch, "/domain/os/type/@arch");
      os.machine = choice(Os.Machine.class, x.type.machine, "/domain/os/type/@machine");
      if (!"hvm".equals(text(x.type.value))) {
        problems.add("/domain/os/type", "'" + x.type.value + "' is not supported; jvmm runs full virtualized"
            + " guests: write hvm");
      }
    }
    os.kernel = x.kernel == null ? null : text(x.kernel.value);
    os.initrd = x.initrd == null ? null : text(x.initrd.value);
    os.cmdline = x.cmdline == null ? null : text(x.cmdline.value);
    if (x.loader != null) {
      Os.Loader loader = new Os.Loader();
      loader.readonly = yesNo(x.loader.readonly, "/domain/os/loader/@readonly");
      loader.type = x.loader.type == null ? null : choice(Os.LoaderType.class, x.loader.type, "/domain/os/loader/@type");
      loader.path = required(text(x.loader.path), "/domain/os/loader", "the firmware path as its text");
      os.loader = loader;
    }
    if (x.nvram != null) {
      Os.Nvram nvram = new Os.Nvram();
      nvram.template = x.nvram.template;
      nvram.path = text(x.nvram.path);
      os.nvram = nvram;
    }
    return os;
  }

  private Features features(DomainXml.Features x) {
    if (x == null) {
      problems.add("/domain/features", "missing; standard VMs need <features><acpi/></features>");
      return null;
    }
    Features f = new Features();
    f.acpi = x.acpi != null ? Boolean.TRUE : null;
    if (x.gic != null) {
      f.gic = new Features.Gic();
      f.gic.version = integer(required(x.gic.version, "/domain/features/gic/@version", "3"),
          "/domain/features/gic/@version", 0, Integer.MAX_VALUE);
    }
    return f;
  }

  private Devices devices(DomainXml.Devices x) {
    Devices d = new Devices();
    d.controllers = list(x.controllers(), "/domain/devices/controller", this::controller);
    d.disks = list(x.disks(), "/domain/devices/disk", this::disk);
    if (d.disks != null) {
      Set<String> taken = names(d.disks.stream().map(disk -> disk.name));
      d.disks.stream().filter(disk -> disk.name == null).forEach(disk -> taken.add(
          disk.name = DeviceNames.fallback(disk.target.dev, "disk", taken)));
    }
    d.interfaces = list(x.interfaces(), "/domain/devices/interface", this::networkInterface);
    if (d.interfaces != null) {
      Set<String> taken = names(d.interfaces.stream().map(n -> n.name));
      d.interfaces.stream().filter(n -> n.name == null).forEach(n -> taken.add(
          n.name = DeviceNames.fallback(n.target.dev, "net", taken)));
    }
    d.consoles = list(x.consoles(), "/domain/devices/console", this::console);
    List<Vsock> vsocks = list(x.vsocks(), "/domain/devices/vsock", this::vsock);
    if (vsocks != null) {
      d.vsock = vsocks.get(0);
      if (vsocks.size() > 1) {
        problems.add("/domain/devices/vsock[2]", "a VM has at most one vsock device; remove the others");
      }
    }
    d.rngs = list(x.rngs(), "/domain/devices/rng", this::rng);
    d.hostdevs = list(x.hostdevs(), "/domain/devices/hostdev", this::hostdev);
    List<Memballoon> balloons = list(x.memballoons(), "/domain/devices/memballoon", this::memballoon);
    if (balloons != null) {
      d.memballoon = balloons.get(0);
      if (balloons.size() > 1) {
        problems.add("/domain/devices/memballoon[2]", "a VM has at most one memballoon; remove the others");
      }
    }
    return d;
  }

  private static Set<String> names(Stream<String> names) {
    return names.filter(Objects::nonNull).collect(Collectors.toCollection(HashSet::new));
  }

  /**
   * A disk's or interface's name from its user alias (ua-NAME), or null to be named after its
   * target dev; libvirt's own ids (alias without ua-) are dropped, as libvirt drops them.
   */
  private String userAliasName(DomainXml.Alias alias, String path) {
    String name = DeviceNames.fromUserAlias(alias == null ? null : alias.name);
    if (name != null && !DeviceNames.isName(name)) {
      problems.add(path + "/alias/@name", "'" + alias.name + "' does not name the device: write ua- and a name of at"
          + " most 32 lower-case letters, digits and '-', e.g. ua-root");
      return null;
    }
    return name;
  }

  private interface ItemConverter<X, T> {
    T convert(X item, String path);
  }

  private <X, T> List<T> list(List<X> items, String path, ItemConverter<X, T> converter) {
    if (items.isEmpty()) {
      return null;
    }
    List<T> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      out.add(converter.convert(items.get(i), path + "[" + (i + 1) + "]"));
    }
    return out;
  }

  private Controller controller(DomainXml.Controller x, String path) {
    Controller c = new Controller();
    c.type = choice(Controller.Type.class, x.type, path + "/@type");
    c.index = integer(required(x.index, path + "/@index", "the controller's index"), path + "/@index", 0, 255);
    c.model = x.model == null ? null : choice(Controller.Model.class, x.model, path + "/@model");
    c.alias = alias(x.alias, path);
    c.address = address(x.address, path + "/address", true);
    return c;
  }

  private Disk disk(DomainXml.Disk x, String path) {
    Disk disk = new Disk();
    disk.name = userAliasName(x.alias, path);
    disk.type = choice(Disk.Type.class, x.type, path + "/@type");
    disk.device = choice(Disk.Device.class, x.device, path + "/@device");
    if (x.driver != null) {
      disk.driver = new Disk.Driver();
      disk.driver.name = x.driver.name == null ? null
          : choice(Disk.DriverName.class, x.driver.name, path + "/driver/@name");
      disk.driver.type = x.driver.type == null ? null : choice(Disk.Format.class, x.driver.type, path + "/driver/@type");
      disk.driver.iothread = x.driver.iothread == null ? null
          : integer(x.driver.iothread, path + "/driver/@iothread", 1, 64);
    }
    disk.source = new Disk.Source();
    disk.source.file = required(x.source == null ? null : x.source.file, path + "/source/@file", "the image path");
    disk.target = new Disk.Target();
    disk.target.dev = required(x.target == null ? null : x.target.dev, path + "/target/@dev", "e.g. vda");
    disk.target.bus = choice(Disk.Bus.class, x.target == null ? null : x.target.bus, path + "/target/@bus");
    disk.readonly = x.readonly != null ? Boolean.TRUE : null;
    if (x.iotune != null) {
      disk.iotune = iotune(x.iotune, path + "/iotune");
    }
    disk.address = address(x.address, path + "/address", true);
    return disk;
  }

  private Iotune iotune(DomainXml.Iotune x, String path) {
    Iotune iotune = new Iotune();
    Map<String, String> limits = x.limits();
    for (Map.Entry<String, String> e : Iotune.XML_NAMES.entrySet()) {
      String value = limits.get(e.getValue());
      if (value == null) {
        continue;
      }
      if (e.getKey().equals("groupName")) {
        iotune.groupName = text(value);
        continue;
      }
      Long n = number(value, path + "/" + e.getValue(), 0, Long.MAX_VALUE);
      try {
        Iotune.class.getField(e.getKey()).set(iotune, n);
      } catch (ReflectiveOperationException ex) {
        throw new IllegalStateException(ex);
      }
    }
    return iotune;
  }

  private NetworkInterface networkInterface(DomainXml.Interface x, String path) {
    NetworkInterface n = new NetworkInterface();
    n.name = userAliasName(x.alias, path);
    n.type = choice(NetworkInterface.Type.class, x.type, path + "/@type");
    if (x.mac != null) {
      n.mac = new NetworkInterface.Mac();
      n.mac.address = required(x.mac.address, path + "/mac/@address", "e.g. de:ad:be:ef:00:01");
    }
    if (x.source != null) {
      n.source = new NetworkInterface.Source();
      n.source.bridge = x.source.bridge;
    }
    n.target = new NetworkInterface.Target();
    n.target.dev = required(x.target == null ? null : x.target.dev, path + "/target/@dev", "the tap device, e.g. tap0");
    if (x.model != null) {
      n.model = new NetworkInterface.Model();
      n.model.type = choice(NetworkInterface.ModelType.class, x.model.type, path + "/model/@type");
    }
    if (x.driver != null) {
      n.driver = new NetworkInterface.Driver();
      n.driver.name = choice(NetworkInterface.DriverName.class, x.driver.name, path + "/driver/@name");
    }
    n.address = address(x.address, path + "/address", true);
    return n;
  }

  private Console console(DomainXml.Console x, String path) {
    Console c = new Console();
    c.type = choice(Console.Type.class, x.type, path + "/@type");
    c.target = new Console.Target();
    if (x.target == null) {
      problems.add(path + "/target", "missing; write <target type='virtio' port='0'/>");
    } else {
      c.target.type = choice(Console.TargetType.class, x.target.type, path + "/target/@type");
      c.target.port = x.target.port == null ? null : integer(x.target.port, path + "/target/@port", 0, 30);
    }
    c.alias = alias(x.alias, path);
    return c;
  }

  private Vsock vsock(DomainXml.Vsock x, String path) {
    Vsock v = new Vsock();
    v.model = choice(Vsock.Model.class, x.model, path + "/@model");
    v.cid = new Vsock.Cid();
    if (x.cid == null) {
      problems.add(path + "/cid", "missing; write <cid auto='no' address='3'/>");
    } else {
      v.cid.auto = yesNo(x.cid.auto, path + "/cid/@auto");
      v.cid.address = x.cid.address == null ? null : number(x.cid.address, path + "/cid/@address", 3, 4294967294L);
    }
    v.address = address(x.address, path + "/address", true);
    return v;
  }

  private Rng rng(DomainXml.Rng x, String path) {
    Rng r = new Rng();
    r.model = choice(Rng.Model.class, x.model, path + "/@model");
    if (x.rate != null) {
      r.rate = new Rng.Rate();
      r.rate.period = x.rate.period == null ? null : number(x.rate.period, path + "/rate/@period", 1, 1_000_000);
      r.rate.bytes = number(required(x.rate.bytes, path + "/rate/@bytes", "bytes per period"), path + "/rate/@bytes",
          64, 1_000_000_000);
    }
    r.backend = new Rng.Backend();
    if (x.backend == null) {
      problems.add(path + "/backend", "missing; write <backend model='random'>/dev/urandom</backend>");
    } else {
      r.backend.model = choice(Rng.BackendModel.class, x.backend.model, path + "/backend/@model");
      r.backend.path = required(text(x.backend.path), path + "/backend", "the entropy file's path as its text");
    }
    r.address = address(x.address, path + "/address", true);
    return r;
  }

  private Hostdev hostdev(DomainXml.Hostdev x, String path) {
    Hostdev h = new Hostdev();
    h.mode = choice(Hostdev.Mode.class, x.mode, path + "/@mode");
    h.type = choice(Hostdev.Type.class, x.type, path + "/@type");
    h.managed = yesNo(x.managed, path + "/@managed");
    if (x.driver != null) {
      h.driver = new Hostdev.Driver();
      h.driver.name = choice(Hostdev.DriverName.class, x.driver.name, path + "/driver/@name");
    }
    h.source = new Hostdev.Source();
    if (x.source == null || x.source.address == null) {
      problems.add(path + "/source/address", "missing; write the host function, e.g. <source><address"
          + " domain='0x0000' bus='0x03' slot='0x00' function='0x0'/></source>");
    } else {
      h.source.address = address(x.source.address, path + "/source/address", false);
    }
    h.address = address(x.address, path + "/address", true);
    return h;
  }

  private Memballoon memballoon(DomainXml.Memballoon x, String path) {
    Memballoon m = new Memballoon();
    m.model = choice(Memballoon.Model.class, x.model, path + "/@model");
    m.alias = alias(x.alias, path);
    m.address = address(x.address, path + "/address", true);
    return m;
  }

  private Alias alias(DomainXml.Alias x, String path) {
    if (x == null) {
      return null;
    }
    return new Alias(required(x.name, path + "/alias/@name", "the device id"));
  }

  private PciAddress address(DomainXml.Address x, String path, boolean typed) {
    if (x == null) {
      return null;
    }
    if (typed && x.type != null && !x.type.equals("pci")) {
      problems.add(path + "/@type", "'" + x.type + "' is not supported; jvmm devices sit on PCI: write type='pci'");
    }
    if (!typed && x.type != null) {
      problems.add(path + "/@type", "the host address of a PCI function has no type; remove it");
    }
    PciAddress a = new PciAddress();
    a.domain = part(x.domain, path + "/@domain", 0xffff);
    a.bus = part(required(x.bus, path + "/@bus", "e.g. '0x01'"), path + "/@bus", 0xff);
    a.slot = part(required(x.slot, path + "/@slot", "e.g. '0x00'"), path + "/@slot", 0x1f);
    a.function = part(x.function, path + "/@function", 7);
    return a;
  }

  /** Keeps the string as written (libvirt's '0x000' stays '0x000') after checking it. */
  private IntOrString part(String value, String path, int max) {
    if (value == null) {
      return null;
    }
    int n = PciAddress.valueOf(new IntOrString(value));
    if (n < 0 || n > max) {
      problems.add(path, "'" + value + "' is not a number in 0..0x" + Integer.toHexString(max)
          + "; write it in hex (0x..) or decimal");
    }
    return new IntOrString(value);
  }

  private <E extends Enum<E>> E choice(Class<E> type, String value, String path) {
    if (value == null) {
      problems.add(path, "missing; use one of: " + EnumNames.allowed(type));
      return null;
    }
    E e = EnumNames.parse(type, value);
    if (e == null) {
      problems.add(path, "'" + value + "' is not supported; use one of: " + EnumNames.allowed(type));
    }
    return e;
  }

  private Boolean yesNo(String value, String path) {
    if (value == null) {
      return null;
    }
    return switch (value) {
      case "yes" -> Boolean.TRUE;
      case "no" -> Boolean.FALSE;
      default -> {
        problems.add(path, "'" + value + "' is not yes or no");
        yield null;
      }
    };
  }

  private Integer integer(String value, String path, int min, int max) {
    Long n = number(value, path, min, max);
    return n == null ? null : n.intValue();
  }

  private Long number(String value, String path, long min, long max) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    try {
      long n = Long.parseLong(v);
      if (n < min || n > max) {
        problems.add(path, v + " is out of range; use " + min + ".." + max);
        return null;
      }
      return n;
    } catch (NumberFormatException e) {
      problems.add(path, "'" + value + "' is not a whole number" + (max < Long.MAX_VALUE ? " in " + min + ".." + max : ""));
      return null;
    }
  }

  private String required(String value, String path, String hint) {
    if (value == null || value.isBlank()) {
      problems.add(path, "missing; write " + hint);
      return null;
    }
    return value;
  }

  /** Element text without the indentation around it; null when empty. */
  private static String text(String value) {
    if (value == null) {
      return null;
    }
    String s = value.strip();
    return s.isEmpty() ? null : s;
  }

  /** Whether {@code d} names no device at all (absent and empty lists alike): no {@code <devices>} content. */
  static boolean hasNone(Devices d) {
    return empty(d.controllers) && empty(d.disks) && empty(d.interfaces) && empty(d.consoles) && d.vsock == null
        && empty(d.rngs) && empty(d.hostdevs) && d.memballoon == null;
  }

  private static boolean empty(java.util.List<?> list) {
    return list == null || list.isEmpty();
  }
}
