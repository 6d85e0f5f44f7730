package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.jvmm.crds.generator.ListTypeMap;
import java.util.List;

/**
 * libvirt {@code <devices>}, one list per element name. The list sizes bound the cost of the
 * CEL rules (pairwise comparisons, and the PCI address checks run once per item): the API
 * server adds up the estimated cost of every rule and refuses a CRD over its budget. A bus
 * has at most 30 root ports and devices besides.
 *
 * <p>Controllers are a map list keyed by type and index, disks and interfaces by name, so that
 * server-side apply merges them entry by entry (two appliers may own different disks) and the
 * API server itself refuses a second entry with the same keys. Disks and interfaces carry a
 * name of their own for that: their libvirt names (target.dev) are nested, and the API server
 * takes only top-level item fields as map keys.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(value = ListTypeMap.class, input = "controllers: type, index")
@SchemaCustomizer(value = ListTypeMap.class, input = "disks: name")
@SchemaCustomizer(value = ListTypeMap.class, input = "interfaces: name")
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
  @JsonPropertyDescription("<controller> elements: pcie-root-port controllers (the PCI buses 1..N) and the"
      + " virtio-serial controller that consoles need; keyed by type and index, one entry each")
  public List<Controller> controllers;

  @Size(max = MAX_DISKS)
  @ValidationRule(value = "self.all(a, self.exists_one(b, b.target.dev == a.target.dev))",
      message = "disk target devs must be unique")
  @JsonPropertyDescription("<disk> elements: raw image files on the node as virtio-blk-pci disks; keyed by name,"
      + " target.dev unique")
  public List<Disk> disks;

  @Size(max = MAX_INTERFACES)
  @ValidationRule(value = "self.all(a, !has(a.mac) || self.exists_one(b, has(b.mac) && b.mac.address.lowerAscii() == a.mac.address.lowerAscii()))",
      message = "interface MAC addresses must be unique")
  @JsonPropertyDescription("<interface> elements: tap devices on the node as virtio-net-pci NICs; keyed by name,"
      + " MAC addresses unique")
  public List<NetworkInterface> interfaces;

  @Size(max = MAX_CONSOLES)
  @JsonPropertyDescription("<console> elements: at most one virtio console")
  public List<Console> consoles;

  @JsonPropertyDescription("<vsock>: a virtio socket device (vhost-vsock-pci) with the guest's context id")
  public Vsock vsock;

  @Size(max = MAX_RNGS)
  @JsonPropertyDescription("<rng> elements: virtio-rng-pci devices fed from a file on the node")
  public List<Rng> rngs;

  @Size(max = MAX_HOSTDEVS)
  @JsonPropertyDescription("<hostdev> elements: host PCI functions passed through to the guest with VFIO")
  public List<Hostdev> hostdevs;

  @JsonPropertyDescription("<memballoon>: a virtio memory balloon (virtio-balloon-pci)")
  public Memballoon memballoon;
}
