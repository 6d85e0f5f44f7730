package io.jvmm.domain;

import io.jvmm.crds.v1alpha1.Console;
import io.jvmm.crds.v1alpha1.Controller;
import io.jvmm.crds.v1alpha1.Devices;
import io.jvmm.crds.v1alpha1.Disk;
import io.jvmm.crds.v1alpha1.Hostdev;
import io.jvmm.crds.v1alpha1.NetworkInterface;
import io.jvmm.crds.v1alpha1.Os;
import io.jvmm.crds.v1alpha1.Rng;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineSpec;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The VMM's command line for a VirtualMachine, in the QEMU/StratoVirt form that libvirt builds
 * for StratoVirt (StratoVirt's config_guidebook and interconnect_with_libvirt): one option per
 * device, devices on PCIe root ports. The VM is validated first, node paths included.
 *
 * @param program the VMM binary: spec.emulator, or "jvmm" when the VM does not name one
 * @param args    the arguments after the program name
 */
public record VmmCommandLine(String program, List<String> args) {
  public static final String DEFAULT_PROGRAM = "jvmm";

  public static VmmCommandLine build(VirtualMachine vm, VmmLaunchOptions options)
      throws InvalidVirtualMachineException {
    List<Problem> problems = VirtualMachineValidator.validate(vm, options.nodePaths());
    if (!problems.isEmpty()) {
      throw new InvalidVirtualMachineException(problems);
    }
    VirtualMachineSpec spec = vm.getSpec();
    PciTopology pci = PciTopology.plan(spec);
    List<String> a = new ArrayList<>();
    add(a, "-name", vm.getMetadata().getName());
    add(a, "-machine", EnumNames.name(spec.os.machine));
    add(a, "-accel", "kvm");
    add(a, "-m", MemorySize.bytes(spec.memory).divide(BigInteger.valueOf(1024 * 1024)) + "M");
    add(a, "-smp", String.valueOf(spec.vcpu));
    Os os = spec.os;
    if (os.loader != null) {
      add(a, "-drive", "file=" + os.loader.path + ",if=pflash,unit=0,readonly=on");
      if (os.nvram != null) {
        String nvram = os.nvram.path != null ? os.nvram.path : options.defaultNvram().toString();
        add(a, "-drive", "file=" + nvram + ",if=pflash,unit=1");
      }
    }
    if (os.kernel != null) {
      add(a, "-kernel", os.kernel);
      if (os.initrd != null) {
        add(a, "-initrd", os.initrd);
      }
      if (os.cmdline != null) {
        add(a, "-append", os.cmdline);
      }
    }
    a.add("-nodefaults");
    a.add("-no-user-config");
    a.add("-nographic");
    if (spec.rebootPolicy == io.jvmm.crds.v1alpha1.RebootPolicy.STOP) {
      a.add("-no-reboot"); // libvirt's on_reboot destroy: the VMM ends at the guest's reboot
    }
    add(a, "-qmp", "unix:" + options.effectiveQmpSocket() + ",server,nowait");
    add(a, "-serial", options.effectiveSerial());
    int iothreads = spec.iothreads == null ? 0 : spec.iothreads;
    for (int i = 1; i <= iothreads; i++) {
      add(a, "-object", "iothread,id=" + iothread(i));
    }
    for (Controller port : PciTopology.rootPorts(spec)) {
      Integer slot = pci.rootPortSlots.get(port.index);
      add(a, "-device", "pcie-root-port,id=" + DeviceIds.rootPort(port.index) + ",port=0x"
          + Integer.toHexString(port.index) + ",bus=pcie.0,addr=0x" + Integer.toHexString(slot)
          + ",chassis=" + port.index);
    }
    devices(a, spec.devices, pci, options);
    String program = spec.emulator != null ? spec.emulator : DEFAULT_PROGRAM;
    return new VmmCommandLine(program, List.copyOf(a));
  }

  private static void devices(List<String> a, Devices d, PciTopology pci, VmmLaunchOptions options) {
    if (d == null) {
      return;
    }
    if (d.disks != null) {
      for (Disk disk : d.disks) {
        String id = DeviceIds.disk(disk);
        StringBuilder drive = new StringBuilder("file=" + disk.source.file + ",id=drive-" + id + ",format=raw,if=none");
        if (Boolean.TRUE.equals(disk.readonly)) {
          drive.append(",readonly=on");
        }
        if (disk.iotune != null && disk.iotune.totalIopsSec != null) {
          drive.append(",iops=").append(disk.iotune.totalIopsSec);
        }
        add(a, "-drive", drive.toString());
        String device = "virtio-blk-pci,drive=drive-" + id + ",id=" + id + at(pci, disk);
        if (disk.driver != null && disk.driver.iothread != null) {
          device += ",iothread=" + iothread(disk.driver.iothread);
        }
        add(a, "-device", device);
      }
    }
    if (d.interfaces != null) {
      for (int i = 0; i < d.interfaces.size(); i++) {
        NetworkInterface n = d.interfaces.get(i);
        String id = DeviceIds.net(i);
        String netdev = "tap,id=" + id + ",ifname=" + n.target.dev + ",script=no,downscript=no";
        if (n.driver != null && n.driver.name == NetworkInterface.DriverName.VHOST) {
          netdev += ",vhost=on";
        }
        add(a, "-netdev", netdev);
        add(a, "-device", "virtio-net-pci,netdev=" + id + ",id=" + id + ",mac=" + n.mac.address + at(pci, n));
      }
    }
    if (d.controllers != null) {
      int serial = 0;
      for (Controller c : d.controllers) {
        if (c.type != Controller.Type.VIRTIO_SERIAL) {
          continue;
        }
        add(a, "-device", "virtio-serial-pci,id=" + DeviceIds.virtioSerial(c.alias, serial++) + at(pci, c));
      }
    }
    if (d.consoles != null) {
      for (int i = 0; i < d.consoles.size(); i++) {
        Console c = d.consoles.get(i);
        String id = DeviceIds.console(c.alias, i);
        String chardev = options.consoleSocket() != null
            ? "socket,path=" + options.consoleSocket() + ",server,nowait,id=char" + id
            : "pty,id=char" + id;
        add(a, "-chardev", chardev);
        add(a, "-device", "virtconsole,chardev=char" + id + ",id=" + id);
      }
    }
    if (d.rngs != null) {
      for (int i = 0; i < d.rngs.size(); i++) {
        Rng r = d.rngs.get(i);
        String id = DeviceIds.rng(i);
        add(a, "-object", "rng-random,id=obj" + id + ",filename=" + r.backend.path);
        String device = "virtio-rng-pci,rng=obj" + id;
        if (r.rate != null) {
          device += ",max-bytes=" + r.rate.bytes + ",period=" + (r.rate.period != null ? r.rate.period : 1000);
        }
        add(a, "-device", device + ",id=" + id + at(pci, r));
      }
    }
    if (d.memballoon != null) {
      add(a, "-device", "virtio-balloon-pci,id=" + DeviceIds.balloon(d.memballoon.alias) + at(pci, d.memballoon));
    }
    if (d.vsock != null) {
      add(a, "-device", "vhost-vsock-pci,id=" + DeviceIds.vsock() + ",guest-cid=" + d.vsock.cid.address
          + at(pci, d.vsock));
    }
    if (d.hostdevs != null) {
      for (int i = 0; i < d.hostdevs.size(); i++) {
        Hostdev h = d.hostdevs.get(i);
        add(a, "-device", "vfio-pci,host=" + h.source.address + ",id=" + DeviceIds.hostdev(i) + at(pci, h));
      }
    }
  }

  private static String at(PciTopology pci, Object device) {
    PciTopology.Placement p = pci.placements.get(device);
    return ",bus=" + p.bus() + ",addr=" + p.addr();
  }

  private static String iothread(int n) {
    return "iothread" + n;
  }

  private static void add(List<String> a, String option, String value) {
    a.add(option);
    a.add(value);
  }

  /** The whole command line as a shell would take it, each argument quoted where needed. */
  public String toShell() {
    List<String> all = new ArrayList<>();
    all.add(program);
    all.addAll(args);
    return all.stream().map(VmmCommandLine::quote).collect(Collectors.joining(" "));
  }

  static String quote(String arg) {
    if (!arg.isEmpty() && arg.matches("[A-Za-z0-9_./:,=@%+-]+")) {
      return arg;
    }
    return "'" + arg.replace("'", "'\"'\"'") + "'";
  }
}
