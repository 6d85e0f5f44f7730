package io.jvmm.domain;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.jvmm.crds.v1alpha1.Console;
import io.jvmm.crds.v1alpha1.Controller;
import io.jvmm.crds.v1alpha1.Devices;
import io.jvmm.crds.v1alpha1.Disk;
import io.jvmm.crds.v1alpha1.Features;
import io.jvmm.crds.v1alpha1.Hostdev;
import io.jvmm.crds.v1alpha1.NetworkInterface;
import io.jvmm.crds.v1alpha1.Os;
import io.jvmm.crds.v1alpha1.PciAddress;
import io.jvmm.crds.v1alpha1.Quantities;
import io.jvmm.crds.v1alpha1.Rng;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineSpec;
import io.jvmm.crds.v1alpha1.Vsock;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a whole VM before anything runs: what the CRD checks at apply time (for VMs that
 * come from domain XML or a file, not through the API server), and what no single field can
 * show: addresses naming controllers, shared addresses, iothreads, consoles without their
 * controller, duplicate MACs, arch and machine, and node paths outside the allowed roots.
 * Every problem is reported, each with its field path and what would be right.
 */
public final class VirtualMachineValidator {
  static final BigInteger MIB = BigInteger.valueOf(1024 * 1024);
  static final BigInteger MIN_MEMORY = MIB.multiply(BigInteger.valueOf(16));
  static final BigInteger MAX_MEMORY = MIB.multiply(BigInteger.valueOf(1024L * 1024)); // 1 TiB

  private final ProblemList problems = new ProblemList();
  private final NodePathPolicy nodePaths;

  private VirtualMachineValidator(NodePathPolicy nodePaths) {
    this.nodePaths = nodePaths;
  }

  /**
   * All problems of the VM; empty when it can run. nodePaths null skips the allowed-roots
   * check (paths must still be absolute).
   */
  public static List<Problem> validate(VirtualMachine vm, NodePathPolicy nodePaths) {
    VirtualMachineValidator v = new VirtualMachineValidator(nodePaths);
    v.check(vm);
    return v.problems.list();
  }

  private void check(VirtualMachine vm) {
    String name = vm.getMetadata() == null ? null : vm.getMetadata().getName();
    if (name == null) {
      problems.add("metadata.name", "missing; give the VM a name (lower case letters, digits and '-')");
    } else if (!name.matches(KubernetesNames.NAME_PATTERN)) {
      problems.add("metadata.name", "'" + name + "' is not a DNS-1123 label; use lower case letters, digits and"
          + " '-', at most 63 characters, starting and ending with a letter or digit");
    }
    VirtualMachineSpec spec = vm.getSpec();
    if (spec == null) {
      problems.add("spec", "missing");
      return;
    }
    memory(spec.memory);
    if (spec.vcpu == null) {
      problems.add("spec.vcpu", "missing; give the number of vCPUs, 1..254");
    } else if (spec.vcpu < 1 || spec.vcpu > 254) {
      problems.add("spec.vcpu", spec.vcpu + " is out of range; use 1..254");
    }
    if (spec.iothreads != null && (spec.iothreads < 0 || spec.iothreads > 64)) {
      problems.add("spec.iothreads", spec.iothreads + " is out of range; use 0..64");
    }
    os(spec.os);
    features(spec.features, spec.os == null ? null : spec.os.arch);
    if (spec.emulator != null && absolute("spec.emulator", spec.emulator) && nodePaths != null) {
      String refusal = nodePaths.emulatorRefusal(spec.emulator);
      if (refusal != null) {
        problems.add("spec.emulator", refusal);
      }
    }
    if (spec.nodeName != null && !spec.nodeName.matches("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")) {
      problems.add("spec.nodeName", "'" + spec.nodeName + "' is not a node name (lower case DNS subdomain)");
    }
    if (spec.devices != null) {
      devices(spec, spec.devices);
    }
  }

  private void memory(String memory) {
    if (memory == null) {
      problems.add("spec.memory", "missing; write e.g. 8GiB, 8192MiB or 8Gi");
      return;
    }
    BigInteger bytes;
    try {
      bytes = MemorySize.bytes(memory);
    } catch (IllegalArgumentException e) {
      problems.add("spec.memory", e.getMessage());
      return;
    }
    if (bytes.mod(MIB).signum() != 0) {
      problems.add("spec.memory", memory + " is not a whole number of MiB; the VMM takes memory in MiB");
    } else if (bytes.compareTo(MIN_MEMORY) < 0 || bytes.compareTo(MAX_MEMORY) > 0) {
      problems.add("spec.memory", memory + " is out of range; use 16MiB..1TiB");
    }
  }

  private void os(Os os) {
    if (os == null) {
      problems.add("spec.os", "missing; set arch and machine (x86_64 and q35, or aarch64 and virt) and a kernel");
      return;
    }
    if (os.arch == null) {
      problems.add("spec.os.arch", "missing; use x86_64 or aarch64");
    }
    if (os.machine == null) {
      problems.add("spec.os.machine", "missing; use q35 on x86_64 or virt on aarch64");
    }
    if (os.arch == Os.Arch.X86_64 && os.machine == Os.Machine.VIRT) {
      problems.add("spec.os.machine", "virt is the aarch64 machine; x86_64 guests use q35");
    } else if (os.arch == Os.Arch.AARCH64 && os.machine == Os.Machine.Q35) {
      problems.add("spec.os.machine", "q35 is the x86_64 machine; aarch64 guests use virt");
    }
    if (os.kernel == null && os.loader == null) {
      problems.add("spec.os", "nothing to boot; set kernel (direct kernel boot) or loader (UEFI firmware)");
    }
    if (os.kernel != null) {
      nodePath("spec.os.kernel", os.kernel);
    }
    if (os.initrd != null) {
      nodePath("spec.os.initrd", os.initrd);
      if (os.kernel == null) {
        problems.add("spec.os.initrd", "an initrd is loaded with a kernel; set spec.os.kernel or remove initrd");
      }
    }
    if (os.cmdline != null && os.kernel == null) {
      problems.add("spec.os.cmdline", "a command line is passed to a kernel; set spec.os.kernel or remove cmdline");
    }
    if (os.loader != null) {
      if (os.loader.type == null) {
        problems.add("spec.os.loader.type", "missing; the VMM maps firmware as pflash: set type pflash");
      }
      if (Boolean.FALSE.equals(os.loader.readonly)) {
        problems.add("spec.os.loader.readonly", "the firmware code is mapped read-only; set true or leave it out");
      }
      if (os.loader.path == null) {
        problems.add("spec.os.loader.path", "missing; give the firmware code's path");
      } else {
        nodePath("spec.os.loader.path", os.loader.path);
      }
    }
    if (os.nvram != null) {
      if (os.loader == null) {
        problems.add("spec.os.nvram", "a variable store belongs to UEFI firmware; set spec.os.loader or remove nvram");
      }
      if (os.nvram.template == null && os.nvram.path == null) {
        problems.add("spec.os.nvram", "set template, path or both");
      }
      if (os.nvram.template != null) {
        nodePath("spec.os.nvram.template", os.nvram.template);
      }
      if (os.nvram.path != null) {
        nodePath("spec.os.nvram.path", os.nvram.path);
      }
    }
  }

  private void features(Features features, Os.Arch arch) {
    if (features == null || !Boolean.TRUE.equals(features.acpi)) {
      problems.add("spec.features.acpi", "must be true: the VMM describes standard VMs with ACPI tables"
          + " (<features><acpi/></features>)");
    }
    Features.Gic gic = features == null ? null : features.gic;
    if (gic != null && arch == Os.Arch.X86_64) {
      problems.add("spec.features.gic", "a GIC is the aarch64 interrupt controller; remove it for x86_64");
    }
    if (arch == Os.Arch.AARCH64 && gic == null) {
      problems.add("spec.features.gic", "missing; aarch64 guests need the GICv3: set gic.version 3");
    }
    if (gic != null && !Integer.valueOf(3).equals(gic.version)) {
      problems.add("spec.features.gic.version", gic.version + " is not supported; the virt machine has GICv3: use 3");
    }
  }

  private void devices(VirtualMachineSpec spec, Devices d) {
    count("spec.devices.controllers", d.controllers, Devices.MAX_CONTROLLERS);
    count("spec.devices.disks", d.disks, Devices.MAX_DISKS);
    count("spec.devices.interfaces", d.interfaces, Devices.MAX_INTERFACES);
    count("spec.devices.rngs", d.rngs, Devices.MAX_RNGS);
    count("spec.devices.hostdevs", d.hostdevs, Devices.MAX_HOSTDEVS);
    Map<String, String> ids = new HashMap<>();
    controllers(d, ids);
    if (d.disks != null) {
      Map<String, String> names = new HashMap<>();
      for (int i = 0; i < d.disks.size(); i++) {
        deviceName("spec.devices.disks[" + i + "]", d.disks.get(i).name, names, "vda");
        disk("spec.devices.disks[" + i + "]", d.disks.get(i), spec.iothreads, ids);
      }
    }
    interfaces(d);
    consoles(d, ids);
    if (d.vsock != null) {
      vsock(d.vsock);
      id("spec.devices.vsock", DeviceIds.vsock(), ids);
    }
    if (d.rngs != null) {
      for (int i = 0; i < d.rngs.size(); i++) {
        rng("spec.devices.rngs[" + i + "]", d.rngs.get(i));
        id("spec.devices.rngs[" + i + "]", DeviceIds.rng(i), ids);
      }
    }
    if (d.hostdevs != null) {
      for (int i = 0; i < d.hostdevs.size(); i++) {
        hostdev("spec.devices.hostdevs[" + i + "]", d.hostdevs.get(i));
        id("spec.devices.hostdevs[" + i + "]", DeviceIds.hostdev(i), ids);
      }
    }
    if (d.memballoon != null) {
      id("spec.devices.memballoon.alias.name", DeviceIds.balloon(d.memballoon.alias), ids);
    }
    addresses(spec);
  }

  /** The CRD's maxItems, so that a VM from domain XML is held to what the API server takes. */
  private void count(String path, List<?> items, int max) {
    if (items != null && items.size() > max) {
      problems.add(path, items.size() + " items; at most " + max + " are supported");
    }
  }

  private void controllers(Devices d, Map<String, String> ids) {
    if (d.controllers == null) {
      return;
    }
    Map<String, String> seen = new HashMap<>();
    int serial = 0;
    for (int i = 0; i < d.controllers.size(); i++) {
      Controller c = d.controllers.get(i);
      String path = "spec.devices.controllers[" + i + "]";
      if (c.type == null || c.index == null) {
        problems.add(path, "needs type and index");
        continue;
      }
      String key = c.type + "/" + c.index;
      String first = seen.putIfAbsent(key, path);
      if (first != null) {
        problems.add(path + ".index", "index " + c.index + " is already used by " + first + "; give each "
            + EnumNames.name(c.type) + " controller its own index");
      }
      if (c.type == Controller.Type.PCI) {
        if (c.model == null) {
          problems.add(path + ".model", "missing; use pcie-root-port (or pcie-root for index 0)");
        } else if (c.model == Controller.Model.PCIE_ROOT && c.index != 0) {
          problems.add(path + ".index", "the pcie-root controller is index 0");
        } else if (c.model == Controller.Model.PCIE_ROOT_PORT && c.index == 0) {
          problems.add(path + ".index", "index 0 is the root complex (pcie-root); number root ports from 1");
        }
        if (c.model == Controller.Model.PCIE_ROOT && c.address != null) {
          problems.add(path + ".address", "the root complex has no address; remove it");
        }
        if (c.model == Controller.Model.PCIE_ROOT_PORT && c.address != null && c.address.busNumber() != 0) {
          problems.add(path + ".address.bus", "root ports sit on bus 0 (the root complex); write bus 0x00");
        }
        if (c.alias != null) {
          problems.add(path + ".alias", "a PCI controller's id is pcie.<index>; remove the alias");
        }
      } else {
        if (c.model != null) {
          problems.add(path + ".model", "a virtio-serial controller has no model; remove it");
        }
        id(path, DeviceIds.virtioSerial(c.alias, serial++), ids);
      }
    }
  }

  private void disk(String path, Disk disk, Integer iothreads, Map<String, String> ids) {
    if (disk.source == null || disk.source.file == null) {
      problems.add(path + ".source.file", "missing; give the image's path on the node");
    } else {
      nodePath(path + ".source.file", disk.source.file);
    }
    if (disk.target == null || disk.target.dev == null) {
      problems.add(path + ".target.dev", "missing; name the disk, e.g. vda");
    } else {
      if (!disk.target.dev.matches("^[a-z][a-z0-9]{1,15}$")) {
        problems.add(path + ".target.dev", "'" + disk.target.dev + "' is not a disk name; use e.g. vda or hda");
      }
      id(path + ".target.dev", DeviceIds.disk(disk), ids);
    }
    if (disk.target != null && disk.target.bus == null) {
      problems.add(path + ".target.bus", "missing; use virtio");
    }
    if (disk.driver != null && disk.driver.iothread != null) {
      int n = iothreads == null ? 0 : iothreads;
      if (n == 0) {
        problems.add(path + ".driver.iothread", "I/O thread " + disk.driver.iothread + " does not exist; set"
            + " spec.iothreads to at least " + disk.driver.iothread + " or remove driver.iothread");
      } else if (disk.driver.iothread < 1 || disk.driver.iothread > n) {
        problems.add(path + ".driver.iothread", "I/O thread " + disk.driver.iothread + " does not exist; spec.iothreads"
            + " is " + n + ", so use 1.." + n);
      }
    }
    if (disk.iotune != null) {
      for (Map.Entry<String, Object> limit : disk.iotune.values().entrySet()) {
        if (limit.getValue() != null && !limit.getKey().equals("totalIopsSec")) {
          problems.add(path + ".iotune." + limit.getKey(), "the VMM limits total IOPS only; use totalIopsSec"
              + " or remove " + limit.getKey());
        }
      }
    }
  }

  private void interfaces(Devices d) {
    if (d.interfaces == null) {
      return;
    }
    Map<String, String> macs = new HashMap<>();
    Map<String, String> taps = new HashMap<>();
    Map<String, String> names = new HashMap<>();
    for (int i = 0; i < d.interfaces.size(); i++) {
      NetworkInterface n = d.interfaces.get(i);
      String path = "spec.devices.interfaces[" + i + "]";
      deviceName(path, n.name, names, "net0");
      if (n.mac == null || n.mac.address == null) {
        problems.add(path + ".mac.address", "missing; give a unicast MAC, e.g. 52:54:00:12:34:56");
      } else if (!n.mac.address.matches("^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")) {
        problems.add(path + ".mac.address", "'" + n.mac.address + "' is not a MAC address; write six hex octets"
            + " separated by ':', e.g. 52:54:00:12:34:56");
      } else {
        if (!n.mac.address.matches(Quantities.UNICAST_MAC_PATTERN)) {
          problems.add(path + ".mac.address", n.mac.address + " is a multicast address (first octet odd); a NIC"
              + " needs a unicast one, e.g. 52:54:00:12:34:56");
        }
        String first = macs.putIfAbsent(n.mac.address.toLowerCase(Locale.ROOT), path);
        if (first != null) {
          problems.add(path + ".mac.address", n.mac.address + " is already the MAC of " + first
              + "; give each interface its own");
        }
      }
      if (n.type == NetworkInterface.Type.BRIDGE && (n.source == null || n.source.bridge == null)) {
        problems.add(path + ".source.bridge", "missing; an interface of type bridge names the host bridge");
      }
      if (n.source != null && n.source.bridge != null && !isNetworkDeviceName(n.source.bridge)) {
        problems.add(path + ".source.bridge", "'" + n.source.bridge + "' is not a bridge name; use at most 15 letters,"
            + " digits, '_', '.', ':' or '-', not '.' or '..'");
      }
      if (n.target == null || n.target.dev == null) {
        problems.add(path + ".target.dev", "missing; name the tap device, e.g. tap0");
      } else {
        if (!isNetworkDeviceName(n.target.dev)) {
          problems.add(path + ".target.dev", "'" + n.target.dev + "' is not a tap name; use at most 15 letters,"
              + " digits, '_', '.', ':' or '-', not '.' or '..'");
        }
        String first = taps.putIfAbsent(n.target.dev, path);
        if (first != null) {
          problems.add(path + ".target.dev", "tap " + n.target.dev + " is already used by " + first);
        }
      }
      if (n.model == null || n.model.type == null) {
        problems.add(path + ".model.type", "missing; use virtio");
      }
    }
  }

  private void consoles(Devices d, Map<String, String> ids) {
    if (d.consoles == null || d.consoles.isEmpty()) {
      return;
    }
    boolean serialController = d.controllers != null
        && d.controllers.stream().anyMatch(c -> c.type == Controller.Type.VIRTIO_SERIAL);
    if (d.consoles.size() > 1) {
      problems.add("spec.devices.consoles[1]", "the VMM has one console; remove the others");
    }
    for (int i = 0; i < d.consoles.size(); i++) {
      Console c = d.consoles.get(i);
      String path = "spec.devices.consoles[" + i + "]";
      if (!serialController) {
        problems.add(path, "a virtio console needs a virtio-serial controller; add {type: virtio-serial, index: 0}"
            + " to spec.devices.controllers");
      }
      if (c.target == null || c.target.type == null) {
        problems.add(path + ".target.type", "missing; use virtio");
      }
      id(path, DeviceIds.console(c.alias, i), ids);
    }
  }

  /** A name Linux takes for a network device (IFNAMSIZ less its NUL), and that names no directory of /sys/class/net's own. */
  private static boolean isNetworkDeviceName(String name) {
    return name.matches("^[A-Za-z0-9_.:-]{1,15}$") && !name.equals(".") && !name.equals("..");
  }

  private void vsock(Vsock v) {
    if (v.cid == null) {
      problems.add("spec.devices.vsock.cid", "missing; set address, the guest CID (3 or more)");
      return;
    }
    if (Boolean.TRUE.equals(v.cid.auto)) {
      problems.add("spec.devices.vsock.cid.auto", "automatic CIDs are not supported; set auto false and a fixed"
          + " address (3 or more)");
    } else if (v.cid.address == null) {
      problems.add("spec.devices.vsock.cid.address", "missing; give the guest CID, 3 or more");
    } else if (v.cid.address < 3 || v.cid.address > 4294967294L) {
      problems.add("spec.devices.vsock.cid.address", v.cid.address + " is reserved or out of range; use"
          + " 3..4294967294");
    }
  }

  private void rng(String path, Rng rng) {
    if (rng.backend == null || rng.backend.path == null) {
      problems.add(path + ".backend.path", "missing; give the entropy source on the node, e.g. /dev/urandom");
    } else {
      nodePath(path + ".backend.path", rng.backend.path);
    }
    if (rng.rate != null && rng.rate.bytes == null) {
      problems.add(path + ".rate.bytes", "missing; give the bytes allowed per period");
    }
  }

  private void hostdev(String path, Hostdev h) {
    if (h.source == null || h.source.address == null) {
      problems.add(path + ".source.address", "missing; give the host function, e.g. domain 0x0000 bus 0x03 slot"
          + " 0x00 function 0x0");
      return;
    }
    PciAddress a = h.source.address;
    partRange(path + ".source.address.domain", a.domain, 0xffff);
    partRange(path + ".source.address.bus", a.bus, 0xff);
    partRange(path + ".source.address.slot", a.slot, 0x1f);
    partRange(path + ".source.address.function", a.function, 7);
  }

  /** Every guest address: well formed, on a bus that exists, and used once. */
  private void addresses(VirtualMachineSpec spec) {
    List<Controller> ports = PciTopology.rootPorts(spec);
    java.util.Set<Integer> portIndexes = new java.util.TreeSet<>();
    ports.forEach(p -> portIndexes.add(p.index));
    Map<String, String> used = new HashMap<>();
    int before = problems.list().size();
    List<Controller> controllers = spec.devices.controllers == null ? List.of() : spec.devices.controllers;
    for (int i = 0; i < controllers.size(); i++) {
      Controller c = controllers.get(i);
      if (c.model == Controller.Model.PCIE_ROOT_PORT && c.address != null) {
        address("spec.devices.controllers[" + i + "].address", c.address, portIndexes, used);
      }
    }
    for (PciTopology.Function f : PciTopology.functions(spec)) {
      if (f.address() != null) {
        address(f.path() + ".address", f.address(), portIndexes, used);
      }
    }
    if (problems.list().size() == before) {
      for (Problem p : PciTopology.plan(spec).problems) {
        problems.add(p.path(), p.message());
      }
    }
  }

  private void address(String path, PciAddress a, java.util.Set<Integer> ports, Map<String, String> used) {
    boolean readable = partRange(path + ".domain", a.domain, 0xffff)
        & partRange(path + ".bus", a.bus, 0xff)
        & partRange(path + ".slot", a.slot, 0x1f)
        & partRange(path + ".function", a.function, 7);
    if (a.bus == null) {
      problems.add(path + ".bus", "missing; write 0x00 or the index of a pcie-root-port controller");
    }
    if (a.slot == null) {
      problems.add(path + ".slot", "missing; write 0x00 behind a root port, 0x01..0x1e on bus 0");
    }
    if (!readable || a.bus == null || a.slot == null) {
      return;
    }
    if (a.domainNumber() != 0) {
      problems.add(path + ".domain", "the guest has one PCI domain; write 0x0000");
    }
    if (a.functionNumber() != 0) {
      problems.add(path + ".function", "multifunction devices are not supported; write 0x0");
    }
    int bus = a.busNumber();
    int slot = a.slotNumber();
    if (bus != 0 && !ports.contains(bus)) {
      problems.add(path + ".bus", "bus " + hex(bus) + " names no controller; add a pcie-root-port controller of"
          + " index " + bus + " to spec.devices.controllers, or use bus 0x00" + (ports.isEmpty() ? ""
          : " or one of the root ports " + ports.stream().map(VirtualMachineValidator::hex).toList()));
      return;
    }
    if (bus != 0 && slot != 0) {
      problems.add(path + ".slot", "a pcie-root-port has a single slot; write slot 0x00");
      return;
    }
    if (bus == 0 && (slot < PciTopology.FIRST_SLOT || slot > PciTopology.LAST_SLOT)) {
      problems.add(path + ".slot", "slot " + hex(slot) + " of bus 0 is reserved (0x00 host bridge, 0x1f LPC);"
          + " use 0x01..0x1e");
      return;
    }
    String key = bus + ":" + slot;
    String first = used.putIfAbsent(key, path);
    if (first != null) {
      problems.add(path, "bus " + hex(bus) + " slot " + hex(slot) + " is already used by " + first
          + "; give each device its own address");
    }
  }

  /** True when the part is absent or a number in range; else a problem. */
  private boolean partRange(String path, IntOrString part, int max) {
    if (part == null) {
      return true;
    }
    int n = PciAddress.valueOf(part);
    if (n < 0 || n > max) {
      String written = part.getIntVal() != null ? String.valueOf(part.getIntVal()) : "'" + part.getStrVal() + "'";
      problems.add(path, written + " is not in 0.." + hex(max) + "; write a number, or a hex (0x..) or decimal string");
      return false;
    }
    return true;
  }

  /**
   * A disk's or interface's name: its key in its list, as the CRD makes it (required, a DNS label,
   * unique), checked here too for VMs that never pass the API server (domain XML, jvmm-virsh).
   */
  private void deviceName(String path, String name, Map<String, String> names, String example) {
    if (name == null) {
      problems.add(path + ".name", "missing; name it, e.g. " + example + " (its target dev is a good name)");
      return;
    }
    if (name.length() > Quantities.MAX_DEVICE_NAME_LENGTH || !name.matches(Quantities.DEVICE_NAME_PATTERN)) {
      problems.add(path + ".name", "'" + name + "' is not a name; use at most " + Quantities.MAX_DEVICE_NAME_LENGTH
          + " lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. " + example);
    }
    String first = names.putIfAbsent(name, path);
    if (first != null) {
      problems.add(path + ".name", "'" + name + "' is already the name of " + first + "; give each its own");
    }
  }

  private void id(String path, String id, Map<String, String> ids) {
    if (id == null) {
      return;
    }
    String first = ids.putIfAbsent(id, path);
    if (first != null) {
      problems.add(path, "device id '" + id + "' is already the id of " + first + "; give it another alias or name");
    }
  }

  /** False, with the problem added, when the value is not an absolute, plain path. */
  private boolean absolute(String path, String value) {
    if (!value.startsWith("/")) {
      problems.add(path, "'" + value + "' is not an absolute path; write it from /");
    } else if (value.indexOf('\0') >= 0) {
      problems.add(path, "contains a NUL character");
    } else if (value.equals("/..") || value.contains("/../") || value.endsWith("/..")) {
      problems.add(path, "'" + value + "' has a '..' segment; write the path without it");
    } else {
      return true;
    }
    return false;
  }

  /** A file on the node: absolute, plain, inside the allowed roots. */
  private void nodePath(String path, String value) {
    int before = problems.list().size();
    absolute(path, value);
    if (problems.list().size() > before) {
      return;
    }
    if (value.indexOf(',') >= 0) {
      problems.add(path, "'" + value + "' contains ',', which separates options on the VMM command line;"
          + " rename the file");
      return;
    }
    if (nodePaths != null) {
      String refusal = nodePaths.refusal(value);
      if (refusal != null) {
        problems.add(path, refusal);
      }
    }
  }

  static String hex(int n) {
    return String.format("0x%02x", n);
  }
}
