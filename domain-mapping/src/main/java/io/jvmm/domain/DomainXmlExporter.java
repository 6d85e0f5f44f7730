package io.jvmm.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.jvmm.crds.v1alpha1.Alias;
import io.jvmm.crds.v1alpha1.Console;
import io.jvmm.crds.v1alpha1.Controller;
import io.jvmm.crds.v1alpha1.Devices;
import io.jvmm.crds.v1alpha1.Disk;
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
import io.jvmm.domain.xml.DomainXmlWriter;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * VirtualMachine to libvirt domain XML: the importer's inverse. restartPolicy and rebootPolicy
 * become the lifecycle actions ({@link LifecycleActions}); fields with no libvirt counterpart
 * (runState, updatePolicy, nodeName, nodeSelector, status) are not written.
 */
public final class DomainXmlExporter {
  private DomainXmlExporter() {
  }

  public static String toXml(VirtualMachine vm) {
    try {
      return DomainXmlWriter.write(toDomain(vm));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("writing domain XML failed", e);
    }
  }

  public static DomainXml toDomain(VirtualMachine vm) {
    VirtualMachineSpec spec = vm.getSpec();
    DomainXml d = new DomainXml();
    d.type = "kvm";
    d.name = DomainXml.Text.of(domainName(vm));
    if (spec.memory != null) {
      String[] valueUnit = MemorySize.toLibvirt(spec.memory);
      d.memory = new DomainXml.Memory();
      d.memory.value = valueUnit[0];
      d.memory.unit = valueUnit[1];
    }
    d.vcpu = DomainXml.Text.of(spec.vcpu);
    d.iothreads = DomainXml.Text.of(spec.iothreads);
    d.os = os(spec.os);
    if (spec.features != null) {
      d.features = new DomainXml.Features();
      d.features.acpi = Boolean.TRUE.equals(spec.features.acpi) ? new DomainXml.Flag() : null;
      if (spec.features.gic != null) {
        d.features.gic = new DomainXml.Gic();
        d.features.gic.version = str(spec.features.gic.version);
      }
    }
    d.onPoweroff = DomainXml.Text.of(LifecycleActions.onPoweroff(spec.restartPolicy));
    d.onReboot = DomainXml.Text.of(LifecycleActions.onReboot(spec.rebootPolicy));
    d.onCrash = DomainXml.Text.of(LifecycleActions.onCrash(spec.restartPolicy));
    boolean anyDevice = spec.devices != null && !DomainXmlImporter.hasNone(spec.devices);
    if (spec.emulator != null || anyDevice) {
      d.devices = new DomainXml.Devices();
      d.devices.emulator = DomainXml.Text.of(spec.emulator);
      if (anyDevice) {
        devices(spec.devices, d.devices);
      }
    }
    return d;
  }

  /** The libvirt name: the one the domain was imported with, else the object's name. */
  public static String domainName(VirtualMachine vm) {
    Map<String, String> annotations = vm.getMetadata() == null ? null : vm.getMetadata().getAnnotations();
    String kept = annotations == null ? null : annotations.get(VirtualMachine.DOMAIN_NAME_ANNOTATION);
    return kept != null ? kept : vm.getMetadata() == null ? null : vm.getMetadata().getName();
  }

  private static DomainXml.Os os(Os os) {
    if (os == null) {
      return null;
    }
    DomainXml.Os x = new DomainXml.Os();
    x.type = new DomainXml.OsType();
    x.type.arch = name(os.arch);
    x.type.machine = name(os.machine);
    x.type.value = "hvm";
    x.kernel = DomainXml.Text.of(os.kernel);
    x.initrd = DomainXml.Text.of(os.initrd);
    x.cmdline = DomainXml.Text.of(os.cmdline);
    if (os.loader != null) {
      x.loader = new DomainXml.Loader();
      x.loader.readonly = yesNo(os.loader.readonly);
      x.loader.type = name(os.loader.type);
      x.loader.path = os.loader.path;
    }
    if (os.nvram != null) {
      x.nvram = new DomainXml.Nvram();
      x.nvram.template = os.nvram.template;
      x.nvram.path = os.nvram.path;
    }
    return x;
  }

  private static void devices(Devices d, DomainXml.Devices x) {
    each(d.controllers, DomainXmlExporter::controller, x.controllers());
    each(d.disks, DomainXmlExporter::disk, x.disks());
    each(d.interfaces, DomainXmlExporter::networkInterface, x.interfaces());
    each(d.consoles, DomainXmlExporter::console, x.consoles());
    if (d.vsock != null) {
      x.vsocks().add(vsock(d.vsock));
    }
    each(d.rngs, DomainXmlExporter::rng, x.rngs());
    each(d.hostdevs, DomainXmlExporter::hostdev, x.hostdevs());
    if (d.memballoon != null) {
      x.memballoons().add(memballoon(d.memballoon));
    }
  }

  private static <T, X> void each(List<T> items, Function<T, X> convert, List<X> out) {
    if (items != null) {
      items.forEach(item -> out.add(convert.apply(item)));
    }
  }

  private static DomainXml.Controller controller(Controller c) {
    DomainXml.Controller x = new DomainXml.Controller();
    x.type = name(c.type);
    x.index = str(c.index);
    x.model = name(c.model);
    x.alias = alias(c.alias);
    x.address = address(c.address, true);
    return x;
  }

  private static DomainXml.Disk disk(Disk disk) {
    DomainXml.Disk x = new DomainXml.Disk();
    x.type = name(disk.type);
    x.device = name(disk.device);
    if (disk.driver != null) {
      x.driver = new DomainXml.DiskDriver();
      x.driver.name = name(disk.driver.name);
      x.driver.type = name(disk.driver.type);
      x.driver.iothread = str(disk.driver.iothread);
    }
    if (disk.source != null) {
      x.source = new DomainXml.DiskSource();
      x.source.file = disk.source.file;
    }
    if (disk.target != null) {
      x.target = new DomainXml.DiskTarget();
      x.target.dev = disk.target.dev;
      x.target.bus = name(disk.target.bus);
    }
    x.readonly = Boolean.TRUE.equals(disk.readonly) ? new DomainXml.Flag() : null;
    if (disk.iotune != null) {
      x.iotune = new DomainXml.Iotune();
      for (Map.Entry<String, Object> limit : disk.iotune.values().entrySet()) {
        if (limit.getValue() != null) {
          x.iotune.put(Iotune.XML_NAMES.get(limit.getKey()), String.valueOf(limit.getValue()));
        }
      }
    }
    x.alias = userAlias(disk.name, disk.target == null ? null : disk.target.dev);
    x.address = address(disk.address, true);
    return x;
  }

  private static DomainXml.Interface networkInterface(NetworkInterface n) {
    DomainXml.Interface x = new DomainXml.Interface();
    // The seed writes a tap on a bridge as type='ethernet' with <source bridge>, which libvirt's
    // schema refuses (an ethernet interface has no bridge) and libvirt calls type='bridge'.
    boolean onBridge = n.source != null && n.source.bridge != null;
    x.type = onBridge ? name(NetworkInterface.Type.BRIDGE) : name(n.type);
    if (n.mac != null) {
      x.mac = new DomainXml.Mac();
      x.mac.address = n.mac.address;
    }
    if (n.source != null) {
      x.source = new DomainXml.InterfaceSource();
      x.source.bridge = n.source.bridge;
    }
    if (n.target != null) {
      x.target = new DomainXml.InterfaceTarget();
      x.target.dev = n.target.dev;
    }
    if (n.model != null) {
      x.model = new DomainXml.Model();
      x.model.type = name(n.model.type);
    }
    if (n.driver != null) {
      x.driver = new DomainXml.Driver();
      x.driver.name = name(n.driver.name);
    }
    x.alias = userAlias(n.name, n.target == null ? null : n.target.dev);
    x.address = address(n.address, true);
    return x;
  }

  private static DomainXml.Console console(Console c) {
    DomainXml.Console x = new DomainXml.Console();
    x.type = name(c.type);
    if (c.target != null) {
      x.target = new DomainXml.ConsoleTarget();
      x.target.type = name(c.target.type);
      x.target.port = str(c.target.port);
    }
    x.alias = alias(c.alias);
    return x;
  }

  private static DomainXml.Vsock vsock(Vsock v) {
    DomainXml.Vsock x = new DomainXml.Vsock();
    x.model = name(v.model);
    if (v.cid != null) {
      x.cid = new DomainXml.Cid();
      x.cid.auto = yesNo(v.cid.auto);
      x.cid.address = str(v.cid.address);
    }
    x.address = address(v.address, true);
    return x;
  }

  private static DomainXml.Rng rng(Rng r) {
    DomainXml.Rng x = new DomainXml.Rng();
    x.model = name(r.model);
    if (r.rate != null) {
      x.rate = new DomainXml.Rate();
      x.rate.period = str(r.rate.period);
      x.rate.bytes = str(r.rate.bytes);
    }
    if (r.backend != null) {
      x.backend = new DomainXml.Backend();
      x.backend.model = name(r.backend.model);
      x.backend.path = r.backend.path;
    }
    x.address = address(r.address, true);
    return x;
  }

  private static DomainXml.Hostdev hostdev(Hostdev h) {
    DomainXml.Hostdev x = new DomainXml.Hostdev();
    x.mode = name(h.mode);
    x.type = name(h.type);
    x.managed = yesNo(h.managed);
    if (h.driver != null) {
      x.driver = new DomainXml.Driver();
      x.driver.name = name(h.driver.name);
    }
    if (h.source != null) {
      x.source = new DomainXml.HostdevSource();
      x.source.address = address(h.source.address, false);
    }
    x.address = address(h.address, true);
    return x;
  }

  private static DomainXml.Memballoon memballoon(Memballoon m) {
    DomainXml.Memballoon x = new DomainXml.Memballoon();
    x.model = name(m.model);
    x.alias = alias(m.alias);
    x.address = address(m.address, true);
    return x;
  }

  private static DomainXml.Alias userAlias(String name, String targetDev) {
    String alias = DeviceNames.exportedAlias(name, targetDev);
    return alias == null ? null : alias(new Alias(alias));
  }

  private static DomainXml.Alias alias(Alias a) {
    if (a == null) {
      return null;
    }
    DomainXml.Alias x = new DomainXml.Alias();
    x.name = a.name;
    return x;
  }

  /** Guest addresses carry type='pci'; a hostdev's host address has no type, as libvirt writes it. */
  private static DomainXml.Address address(PciAddress a, boolean typed) {
    if (a == null) {
      return null;
    }
    DomainXml.Address x = new DomainXml.Address();
    x.type = typed ? "pci" : null;
    x.domain = part(a.domain, "0x%04x", 0xffff);
    x.bus = part(a.bus, "0x%02x", 0xff);
    x.slot = part(a.slot, "0x%02x", 0x1f);
    x.function = part(a.function, "0x%x", 7);
    return x;
  }

  /**
   * One address part as libvirt writes it, and as its schema (pciDomain, pciBus, pciSlot,
   * pciFunc) takes it: fixed-width hex, the function one digit. The seed's own function='0x00'
   * is read on import and written 0x0. A part out of range is written as given, for validation
   * to name.
   */
  private static String part(IntOrString p, String format, int max) {
    if (p == null) {
      return null;
    }
    int value = PciAddress.valueOf(p);
    if (value < 0 || value > max) {
      return p.getIntVal() != null ? String.valueOf(p.getIntVal()) : p.getStrVal();
    }
    return String.format(format, value);
  }

  private static String name(Enum<?> e) {
    return e == null ? null : EnumNames.name(e);
  }

  private static String str(Object o) {
    return o == null ? null : String.valueOf(o);
  }

  private static String yesNo(Boolean b) {
    return b == null ? null : b ? "yes" : "no";
  }
}
