package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * libvirt {@code <devices>}, one list per element name. The list sizes bound the cost of the
 * CEL rules (pairwise comparisons, and the PCI address checks run once per item): the API
 * server adds up the estimated cost of every rule and refuses a CRD over its budget. A bus
 * has at most 30 root ports and devices besides.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"controllers", "disks", "interfaces", "consoles", "vsock", "rngs", "hostdevs", "memballoon"})
@ValidationRule(value = "!has(self.consoles) || self.consoles.size() == 0 || (has(self.controllers)"
    + " && self.controllers.exists(c, c.type == 'virtio-serial'))",
    message = "a virtio console needs a virtio-serial controller in controllers")
public class Devices {
  public static final int MAX_CONTROLLERS = 24;
  public static final int MAX_DISKS = 16;
  public static final int MAX_INTERFACES = 8;
  public static final int MAX_CONSOLES = 1;
  public static final int MAX_RNGS = 2;
  public static final int MAX_HOSTDEVS = 8;

  @Size(max = MAX_CONTROLLERS)
  @ValidationRule(value = "self.all(a, self.exists_one(b, b.type == a.type && b.index == a.index))",
      message = "controller indexes must be unique per controller type")
  @JsonPropertyDescription("<controller> elements: pcie-root-port controllers (the PCI buses 1..N) and the"
      + " virtio-serial controller that consoles need")
  public List<Controller> controllers;

  @Size(max = MAX_DISKS)
  @ValidationRule(value = "self.all(a, self.exists_one(b, b.target.dev == a.target.dev))",
      message = "disk target devs must be unique")
  public List<Disk> disks;

  @Size(max = MAX_INTERFACES)
  @ValidationRule(value = "self.all(a, !has(a.mac) || self.exists_one(b, has(b.mac) && b.mac.address.lowerAscii() == a.mac.address.lowerAscii()))",
      message = "interface MAC addresses must be unique")
  public List<NetworkInterface> interfaces;

  @Size(max = MAX_CONSOLES)
  @JsonPropertyDescription("<console> elements: at most one virtio console")
  public List<Console> consoles;

  public Vsock vsock;

  @Size(max = MAX_RNGS)
  public List<Rng> rngs;

  @Size(max = MAX_HOSTDEVS)
  public List<Hostdev> hostdevs;

  public Memballoon memballoon;
}
