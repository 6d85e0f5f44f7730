package io.jvmm.domain;

import io.jvmm.crds.v1alpha1.Devices;
import io.jvmm.crds.v1alpha1.VirtualMachineSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a VM holds on its node that no other VM there may hold at the same time: its vsock CID
 * (the host's vhost-vsock refuses a second guest with the same one), its tap devices (named by
 * the spec, created for it by the agent) and its passed-through host PCI functions. The
 * scheduler places a VM only where none of these is taken; the agent refuses a clash it is
 * handed anyway.
 */
public final class NodeExclusiveResources {
  private NodeExclusiveResources() {}

  /** One such resource: {@code name} identifies it on the node; {@code field} is where the spec asks for it. */
  public record Resource(String name, String field) {}

  /** The resources the spec asks for, in spec order; an unreadable part of the spec asks for nothing. */
  public static List<Resource> of(VirtualMachineSpec spec) {
    List<Resource> resources = new ArrayList<>();
    Devices d = spec == null ? null : spec.devices;
    if (d == null) {
      return resources;
    }
    if (d.vsock != null && d.vsock.cid != null && d.vsock.cid.address != null) {
      resources.add(new Resource("vsock CID " + d.vsock.cid.address, "spec.devices.vsock.cid.address"));
    }
    if (d.interfaces != null) {
      for (int i = 0; i < d.interfaces.size(); i++) {
        var n = d.interfaces.get(i);
        if (n != null && n.target != null && n.target.dev != null) {
          resources.add(new Resource("tap " + n.target.dev, "spec.devices.interfaces[" + i + "].target.dev"));
        }
      }
    }
    if (d.hostdevs != null) {
      for (int i = 0; i < d.hostdevs.size(); i++) {
        var h = d.hostdevs.get(i);
        if (h != null && h.source != null && h.source.address != null) {
          String address;
          try {
            address = h.source.address.toString();
          } catch (RuntimeException unreadable) {
            continue;
          }
          resources.add(new Resource("host PCI device " + address, "spec.devices.hostdevs[" + i + "].source.address"));
        }
      }
    }
    return resources;
  }

  /**
   * The first of {@code wanted} that a holder in {@code heldBy} (resource name to holder, such
   * as namespace/name) already has, as a problem naming the field, the holder and the fix.
   */
  public static Optional<Problem> clash(List<Resource> wanted, Map<String, String> heldBy) {
    for (Resource r : wanted) {
      String holder = heldBy.get(r.name());
      if (holder != null) {
        return Optional.of(new Problem(r.field(), r.name() + " is held by VM " + holder
            + " on this node; choose another or stop that VM"));
      }
    }
    return Optional.empty();
  }
}
