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
import io.jvmm.crds.v1alpha1.RebootPolicy;
import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.Rng;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineSpec;
import io.jvmm.crds.v1alpha1.Vsock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generated VirtualMachines: any shape the model and the domain XML both can hold, valid or
 * not (round trips must keep invalid VMs too, so that validation can report on them). A
 * field libvirt cannot express is left out: acpi and readonly are true or absent.
 */
final class VirtualMachineArbitraries {
  private VirtualMachineArbitraries() {
  }

  static <T> Arbitrary<T> maybe(Arbitrary<T> a) {
    return a.injectNull(0.4);
  }

  static <T> Arbitrary<List<T>> listOf(Arbitrary<T> a, int max) {
    return a.list().ofMinSize(1).ofMaxSize(max).map(l -> (List<T>) new ArrayList<>(l)).injectNull(0.4);
  }

  static Arbitrary<String> names() {
    return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789").ofMinLength(1).ofMaxLength(20)
        .map(s -> "vm" + s);
  }

  static Arbitrary<String> paths() {
    Arbitrary<String> segment = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABC0123456789_-.")
        .ofMinLength(1).ofMaxLength(12).filter(s -> !s.equals(".") && !s.equals(".."));
    return segment.list().ofMinSize(1).ofMaxSize(5).map(l -> "/" + String.join("/", l));
  }

  static Arbitrary<String> memory() {
    Arbitrary<String> unit = Arbitraries.of("", "b", "bytes", "KiB", "MiB", "GiB", "TiB", "KB", "MB", "GB", "Ki", "Mi",
        "Gi", "Ti", "k", "M", "G");
    return Combinators.combine(Arbitraries.longs().between(1, 1_000_000), unit).as((n, u) -> n + u);
  }

  static Arbitrary<IntOrString> part(int max) {
    Arbitrary<Integer> n = Arbitraries.integers().between(0, max);
    return Arbitraries.oneOf(
        n.map(IntOrString::new),
        n.map(i -> new IntOrString(String.format("0x%02x", i))),
        n.map(i -> new IntOrString(String.valueOf(i))));
  }

  static Arbitrary<PciAddress> addresses() {
    return Combinators.combine(maybe(part(0xffff)), part(0xff), part(0x1f), maybe(part(7)))
        .as(PciAddress::new);
  }

  static Arbitrary<Alias> aliases() {
    return Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(10).map(s -> new Alias("a" + s));
  }

  static Arbitrary<Os> os() {
    Arbitrary<Os.Loader> loader = Combinators.combine(maybe(Arbitraries.of(true, false)),
        maybe(Arbitraries.of(Os.LoaderType.class)), paths()).as((ro, type, path) -> {
          Os.Loader l = new Os.Loader();
          l.readonly = ro;
          l.type = type;
          l.path = path;
          return l;
        });
    Arbitrary<Os.Nvram> nvram = Combinators.combine(maybe(paths()), maybe(paths())).as((t, p) -> {
      Os.Nvram n = new Os.Nvram();
      n.template = t;
      n.path = p;
      return n;
    });
    Arbitrary<String> cmdline = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789=/,.")
        .ofMinLength(1).ofMaxLength(12).list().ofMinSize(1).ofMaxSize(6).map(l -> String.join(" ", l));
    return Combinators.combine(Arbitraries.of(Os.Arch.class), Arbitraries.of(Os.Machine.class), maybe(paths()),
        maybe(paths()), maybe(cmdline), maybe(loader), maybe(nvram)).as((arch, machine, k, i, c, l, n) -> {
          Os os = new Os();
          os.arch = arch;
          os.machine = machine;
          os.kernel = k;
          os.initrd = i;
          os.cmdline = c;
          os.loader = l;
          os.nvram = n;
          return os;
        });
  }

  static Arbitrary<Features> features() {
    // GIC versions libvirt knows (its schema takes 2, 3 and host); jvmm's validator wants 3.
    return Combinators.combine(maybe(Arbitraries.just(true)), maybe(Arbitraries.integers().between(2, 3)))
        .as((acpi, gic) -> {
          Features f = new Features();
          f.acpi = acpi;
          if (gic != null) {
            f.gic = new Features.Gic();
            f.gic.version = gic;
          }
          return f;
        });
  }

  static Arbitrary<Controller> controllers() {
    return Combinators.combine(Arbitraries.of(Controller.Type.class), Arbitraries.integers().between(0, 255),
        maybe(Arbitraries.of(Controller.Model.class)), maybe(aliases()), maybe(addresses())).as((t, i, m, a, addr) -> {
          Controller c = new Controller();
          c.type = t;
          c.index = i;
          // As libvirt's schema has it: a PCI controller names its model, a virtio-serial one none.
          c.model = t == Controller.Type.PCI ? (m == null ? Controller.Model.PCIE_ROOT_PORT : m) : null;
          c.alias = a;
          c.address = addr;
          return c;
        });
  }

  static Arbitrary<Iotune> iotunes() {
    List<String> longFields = new ArrayList<>(Iotune.XML_NAMES.keySet());
    longFields.remove("groupName");
    return Combinators.combine(Arbitraries.subsetOf(longFields), Arbitraries.longs().between(0, 1_000_000_000_000L),
        maybe(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8))).as((fields, value, group) -> {
          Iotune t = new Iotune();
          // libvirt takes a total limit or read and write ones, never both (its schema and its parser).
          Set<String> chosen = new HashSet<>(fields);
          for (String f : fields) {
            if (f.startsWith("total")) {
              chosen.remove("read" + f.substring("total".length()));
              chosen.remove("write" + f.substring("total".length()));
            }
          }
          for (String f : chosen) {
            try {
              Iotune.class.getField(f).set(t, value + f.length());
            } catch (ReflectiveOperationException e) {
              throw new IllegalStateException(e);
            }
          }
          t.groupName = group;
          return t;
        });
  }

  static Arbitrary<Disk> disks() {
    Arbitrary<Disk.Driver> driver = Combinators.combine(maybe(Arbitraries.of(Disk.DriverName.class)),
        maybe(Arbitraries.of(Disk.Format.class)), maybe(Arbitraries.integers().between(1, 64))).as((n, t, io) -> {
          Disk.Driver d = new Disk.Driver();
          d.name = n;
          d.type = t;
          d.iothread = io;
          return d;
        });
    Arbitrary<String> dev = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz").ofMinLength(1)
        .ofMaxLength(3).map(s -> "vd" + s);
    return Combinators.combine(maybe(deviceNames()), maybe(driver), paths(), dev, maybe(Arbitraries.just(true)),
        maybe(iotunes()), maybe(addresses())).as((name, drv, file, target, ro, io, addr) -> {
          Disk d = new Disk();
          d.name = name;
          d.type = Disk.Type.FILE;
          d.device = Disk.Device.DISK;
          d.driver = drv;
          d.source = new Disk.Source();
          d.source.file = file;
          d.target = new Disk.Target();
          d.target.dev = target;
          d.target.bus = Disk.Bus.VIRTIO;
          d.readonly = ro;
          d.iotune = io;
          d.address = addr;
          return d;
        });
  }

  static Arbitrary<String> macs() {
    // Unicast: libvirt's schema, like jvmm's validator, refuses a multicast MAC (first octet odd).
    return Arbitraries.integers().between(0, 255).list().ofSize(6)
        .map(l -> String.join(":", java.util.stream.IntStream.range(0, 6)
            .mapToObj(k -> String.format("%02x", k == 0 ? l.get(k) & 0xfe : l.get(k))).toList()));
  }

  static Arbitrary<NetworkInterface> interfaces() {
    Arbitrary<String> dev = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(10).map(s -> "t" + s);
    return Combinators.combine(maybe(deviceNames()), Arbitraries.of(NetworkInterface.Type.class), maybe(macs()),
        maybe(dev), dev, maybe(Arbitraries.of(NetworkInterface.ModelType.class)),
        maybe(Arbitraries.of(NetworkInterface.DriverName.class)), maybe(addresses()))
        .as((name, type, mac, bridge, tap, model, driver, addr) -> {
          NetworkInterface n = new NetworkInterface();
          n.name = name;
          n.type = type;
          if (mac != null) {
            n.mac = new NetworkInterface.Mac();
            n.mac.address = mac;
          }
          if (bridge != null) {
            n.source = new NetworkInterface.Source();
            n.source.bridge = bridge;
          }
          n.target = new NetworkInterface.Target();
          n.target.dev = tap;
          if (model != null) {
            n.model = new NetworkInterface.Model();
            n.model.type = model;
          }
          if (driver != null) {
            n.driver = new NetworkInterface.Driver();
            n.driver.name = driver;
          }
          n.address = addr;
          return n;
        });
  }

  static Arbitrary<Console> consoles() {
    return Combinators.combine(maybe(Arbitraries.integers().between(0, 30)), maybe(aliases())).as((port, alias) -> {
      Console c = new Console();
      c.type = Console.Type.PTY;
      c.target = new Console.Target();
      c.target.type = Console.TargetType.VIRTIO;
      c.target.port = port;
      c.alias = alias;
      return c;
    });
  }

  static Arbitrary<Vsock> vsocks() {
    return Combinators.combine(maybe(Arbitraries.of(true, false)), maybe(Arbitraries.longs().between(3, 4294967294L)),
        maybe(addresses())).as((auto, cid, addr) -> {
          Vsock v = new Vsock();
          v.model = Vsock.Model.VIRTIO;
          v.cid = new Vsock.Cid();
          v.cid.auto = auto;
          v.cid.address = cid;
          v.address = addr;
          return v;
        });
  }

  static Arbitrary<Rng> rngs() {
    Arbitrary<Rng.Rate> rate = Combinators.combine(maybe(Arbitraries.longs().between(1, 1_000_000)),
        Arbitraries.longs().between(64, 1_000_000_000)).as((p, b) -> {
          Rng.Rate r = new Rng.Rate();
          r.period = p;
          r.bytes = b;
          return r;
        });
    return Combinators.combine(maybe(rate), paths(), maybe(addresses())).as((r, path, addr) -> {
      Rng rng = new Rng();
      rng.model = Rng.Model.VIRTIO;
      rng.rate = r;
      rng.backend = new Rng.Backend();
      rng.backend.model = Rng.BackendModel.RANDOM;
      rng.backend.path = path;
      rng.address = addr;
      return rng;
    });
  }

  static Arbitrary<Hostdev> hostdevs() {
    return Combinators.combine(maybe(Arbitraries.of(true, false)), maybe(Arbitraries.just(Hostdev.DriverName.VFIO)),
        addresses(), maybe(addresses())).as((managed, driver, source, addr) -> {
          Hostdev h = new Hostdev();
          h.mode = Hostdev.Mode.SUBSYSTEM;
          h.type = Hostdev.Type.PCI;
          h.managed = managed;
          if (driver != null) {
            h.driver = new Hostdev.Driver();
            h.driver.name = driver;
          }
          h.source = new Hostdev.Source();
          h.source.address = source;
          h.address = addr;
          return h;
        });
  }

  static Arbitrary<Memballoon> balloons() {
    return Combinators.combine(maybe(aliases()), maybe(addresses())).as((alias, addr) -> {
      Memballoon m = new Memballoon();
      m.model = Memballoon.Model.VIRTIO;
      m.alias = alias;
      m.address = addr;
      return m;
    });
  }

  /** A name of a disk or interface other than its target dev; null stands for the target dev. */
  static Arbitrary<String> deviceNames() {
    return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-").ofMinLength(0).ofMaxLength(8)
        .map(s -> "n" + s + "x");
  }

  /**
   * The list with every item named, names unique as the CRD requires of a map list's keys: an
   * item without a generated name takes its target dev where that is a free name, others get
   * their generated name suffixed with their index.
   */
  static <T> List<T> named(List<T> items, java.util.function.Function<T, String> name,
      java.util.function.Function<T, String> targetDev, java.util.function.BiConsumer<T, String> setName) {
    Set<String> taken = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      T item = items.get(i);
      String target = targetDev.apply(item);
      String chosen = name.apply(item) == null && DeviceNames.isName(target) && taken.add(target) ? target
          : (name.apply(item) == null ? "dev" : name.apply(item)) + "-" + i;
      setName.accept(item, chosen);
    }
    return items;
  }

  static Arbitrary<Devices> devices() {
    Arbitrary<List<Disk>> disks = listOf(disks(), 3)
        .map(l -> l == null ? null : named(l, d -> d.name, d -> d.target.dev, (d, n) -> d.name = n));
    Arbitrary<List<NetworkInterface>> interfaces = listOf(interfaces(), 3)
        .map(l -> l == null ? null : named(l, n -> n.name, n -> n.target.dev, (n, v) -> n.name = v));
    return Combinators.combine(listOf(controllers(), 4), disks, interfaces,
        listOf(consoles(), 2), maybe(vsocks()), listOf(rngs(), 2), listOf(hostdevs(), 2), maybe(balloons()))
        .as((c, d, i, con, v, r, h, b) -> {
          Devices devices = new Devices();
          devices.controllers = c;
          devices.disks = d;
          devices.interfaces = i;
          devices.consoles = con;
          devices.vsock = v;
          devices.rngs = r;
          devices.hostdevs = h;
          devices.memballoon = b;
          return devices;
        });
  }

  /**
   * The policies a domain's lifecycle actions make: the importer always names a restart policy,
   * and a reboot policy only when it is not the default.
   */
  static Arbitrary<LifecycleActions.Policies> lifecycle() {
    return Combinators.combine(Arbitraries.of(RestartPolicy.class), Arbitraries.of(RebootPolicy.STOP).injectNull(0.5))
        .as(LifecycleActions.Policies::new);
  }

  /** A VM with only what libvirt's domain XML can hold. */
  static Arbitrary<VirtualMachine> domainVms() {
    Arbitrary<VirtualMachineSpec> spec = Combinators.combine(memory(), Arbitraries.integers().between(1, 254),
        maybe(Arbitraries.integers().between(0, 64)), os(), features(), maybe(paths()), maybe(devices()),
        lifecycle())
        .as((mem, vcpu, io, os, f, emulator, devices, lifecycle) -> {
          VirtualMachineSpec s = new VirtualMachineSpec();
          s.memory = mem;
          s.vcpu = vcpu;
          s.iothreads = io;
          s.os = os;
          s.features = f;
          s.emulator = emulator;
          s.devices = devices;
          s.restartPolicy = lifecycle.restart();
          s.rebootPolicy = lifecycle.reboot();
          return s;
        });
    Arbitrary<String> nameCase = Arbitraries.of("lower", "capitalized");
    return Combinators.combine(names(), nameCase, spec).as((name, style, s) -> {
      VirtualMachine vm = new VirtualMachine();
      ObjectMeta meta = new ObjectMeta();
      meta.setName(name);
      if (style.equals("capitalized")) {
        // A libvirt name Kubernetes cannot take, kept in the annotation.
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(VirtualMachine.DOMAIN_NAME_ANNOTATION, "V" + name.substring(1));
        meta.setAnnotations(annotations);
      }
      vm.setMetadata(meta);
      vm.setSpec(s);
      return vm;
    });
  }

  /** Any VM, with the fields only the manifest has (run state, placement). */
  static Arbitrary<VirtualMachine> manifests() {
    Arbitrary<Map<String, String>> selector = Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1)
        .ofMaxLength(8), Arbitraries.strings().alpha().ofMaxLength(8)).ofMaxSize(3).injectNull(0.5);
    return Combinators.combine(domainVms(), maybe(Arbitraries.of(RunState.class)),
        maybe(Arbitraries.of(RestartPolicy.class)), maybe(names()), selector).as((vm, run, restart, node, sel) -> {
          vm.getSpec().runState = run;
          vm.getSpec().restartPolicy = restart;
          vm.getSpec().nodeName = node;
          vm.getSpec().nodeSelector = sel;
          return vm;
        });
  }
}
