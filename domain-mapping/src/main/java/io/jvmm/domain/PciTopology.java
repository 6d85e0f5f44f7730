package io.jvmm.domain;

import io.jvmm.crds.v1alpha1.Controller;
import io.jvmm.crds.v1alpha1.Devices;
import io.jvmm.crds.v1alpha1.PciAddress;
import io.jvmm.crds.v1alpha1.VirtualMachineSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The guest's PCI Express layout, as libvirt lays it out for q35: the root complex is bus 0
 * (pcie.0 on the command line); each pcie-root-port controller of index N sits in a slot of
 * bus 0 and opens bus N (pcie.N), whose only slot 0 holds one device.
 *
 * <p>Controllers and devices without an address are placed as libvirt places them: explicit
 * addresses first; a root port of index N then takes slot N of bus 0 if nothing claimed it
 * (the seed puts its vsock at bus 0 slot 6, beside root port 6), else the lowest free slot;
 * a device without an address takes the lowest-index root port that nothing sits behind, or,
 * when none is left, the lowest free slot of bus 0.
 */
final class PciTopology {
  /** Slot 0 of bus 0 is the host bridge; 0x1f holds the q35 LPC/ISA bridge. */
  static final int FIRST_SLOT = 0x01;
  static final int LAST_SLOT = 0x1e;

  /** A PCI function of the guest: where it is in the manifest and where it asked to sit. */
  record Function(String path, Object device, PciAddress address) {
  }

  /** Where a function sits: bus name on the command line and slot. */
  record Placement(String bus, int slot) {
    String addr() {
      return "0x" + Integer.toHexString(slot);
    }
  }

  final Map<Integer, Integer> rootPortSlots = new LinkedHashMap<>();
  final Map<Object, Placement> placements = new IdentityHashMap<>();
  final List<Problem> problems = new ArrayList<>();

  /** The pcie-root-port controllers by index. */
  static List<Controller> rootPorts(VirtualMachineSpec spec) {
    List<Controller> ports = new ArrayList<>();
    if (spec.devices != null && spec.devices.controllers != null) {
      for (Controller c : spec.devices.controllers) {
        if (c.type == Controller.Type.PCI && c.model == Controller.Model.PCIE_ROOT_PORT && c.index != null) {
          ports.add(c);
        }
      }
    }
    ports.sort(Comparator.comparingInt(c -> c.index));
    return ports;
  }

  /** Every PCI device function in command-line order (root ports excluded). */
  static List<Function> functions(VirtualMachineSpec spec) {
    List<Function> out = new ArrayList<>();
    Devices d = spec.devices;
    if (d == null) {
      return out;
    }
    if (d.disks != null) {
      for (int i = 0; i < d.disks.size(); i++) {
        out.add(new Function("spec.devices.disks[" + i + "]", d.disks.get(i), d.disks.get(i).address));
      }
    }
    if (d.interfaces != null) {
      for (int i = 0; i < d.interfaces.size(); i++) {
        out.add(new Function("spec.devices.interfaces[" + i + "]", d.interfaces.get(i), d.interfaces.get(i).address));
      }
    }
    if (d.controllers != null) {
      for (int i = 0; i < d.controllers.size(); i++) {
        Controller c = d.controllers.get(i);
        if (c.type == Controller.Type.VIRTIO_SERIAL) {
          out.add(new Function("spec.devices.controllers[" + i + "]", c, c.address));
        }
      }
    }
    if (d.rngs != null) {
      for (int i = 0; i < d.rngs.size(); i++) {
        out.add(new Function("spec.devices.rngs[" + i + "]", d.rngs.get(i), d.rngs.get(i).address));
      }
    }
    if (d.memballoon != null) {
      out.add(new Function("spec.devices.memballoon", d.memballoon, d.memballoon.address));
    }
    if (d.vsock != null) {
      out.add(new Function("spec.devices.vsock", d.vsock, d.vsock.address));
    }
    if (d.hostdevs != null) {
      for (int i = 0; i < d.hostdevs.size(); i++) {
        out.add(new Function("spec.devices.hostdevs[" + i + "]", d.hostdevs.get(i), d.hostdevs.get(i).address));
      }
    }
    return out;
  }

  /** Lays out the guest; {@link #problems} says when it does not fit. */
  static PciTopology plan(VirtualMachineSpec spec) {
    PciTopology t = new PciTopology();
    List<Controller> ports = rootPorts(spec);
    List<Function> functions = functions(spec);
    TreeSet<Integer> freeSlots = new TreeSet<>();
    for (int s = FIRST_SLOT; s <= LAST_SLOT; s++) {
      freeSlots.add(s);
    }
    java.util.Set<Integer> occupiedBuses = new java.util.HashSet<>();
    for (Controller port : ports) {
      if (port.address != null) {
        freeSlots.remove(port.address.slotNumber());
      }
    }
    for (Function f : functions) {
      if (f.address() != null) {
        if (f.address().busNumber() == 0) {
          freeSlots.remove(f.address().slotNumber());
        } else {
          occupiedBuses.add(f.address().busNumber());
        }
        t.placements.put(f.device(), new Placement(DeviceIds.rootPort(f.address().busNumber()),
            f.address().slotNumber()));
      }
    }
    // Root ports whose own slot is free take it first, so that one claimed slot moves one port.
    for (Controller port : ports) {
      if (port.address != null) {
        t.rootPortSlots.put(port.index, port.address.slotNumber());
      } else if (freeSlots.remove(port.index)) {
        t.rootPortSlots.put(port.index, port.index);
      }
    }
    for (Controller port : ports) {
      if (t.rootPortSlots.containsKey(port.index)) {
        continue;
      }
      if (freeSlots.isEmpty()) {
        t.problems.add(new Problem("spec.devices.controllers", "bus 0 has no free slot left for root port "
            + port.index + "; slots 0x01..0x1e hold at most 30 root ports and devices"));
        continue;
      }
      t.rootPortSlots.put(port.index, freeSlots.pollFirst());
    }
    // Keep the command line in index order whatever order the slots were given in.
    Map<Integer, Integer> byIndex = new java.util.TreeMap<>(t.rootPortSlots);
    t.rootPortSlots.clear();
    t.rootPortSlots.putAll(byIndex);
    for (Function f : functions) {
      if (f.address() != null) {
        continue;
      }
      Controller free = ports.stream().filter(p -> !occupiedBuses.contains(p.index)).findFirst().orElse(null);
      if (free != null) {
        occupiedBuses.add(free.index);
        t.placements.put(f.device(), new Placement(DeviceIds.rootPort(free.index), 0));
      } else if (!freeSlots.isEmpty()) {
        int slot = freeSlots.pollFirst();
        t.placements.put(f.device(), new Placement(DeviceIds.rootPort(0), slot));
      } else {
        t.problems.add(new Problem(f.path() + ".address", "no free root port or bus 0 slot is left for this device;"
            + " add a pcie-root-port controller to spec.devices.controllers"));
      }
    }
    return t;
  }
}
