package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** libvirt {@code <vsock model='virtio'><cid auto='no' address='3'/></vsock>}: vhost-vsock-pci. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"model", "cid", "address"})
public class Vsock {
  @Required
  @JsonPropertyDescription("Vsock model: virtio (vhost-vsock-pci)")
  public Model model;

  @Required
  @JsonPropertyDescription("<cid>: the guest's context id, a fixed address (auto is not supported yet)")
  public Cid cid;

  public PciAddress address;

  public enum Model {
    @JsonProperty("virtio") VIRTIO
  }

  /** {@code <cid auto='no' address='3'/>}: the guest's context id. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"auto", "address"})
  @ValidationRule(value = "has(self.auto) && self.auto ? !has(self.address) : has(self.address)",
      message = "set either auto: true or address (a fixed guest CID), not both")
  public static class Cid {
    @JsonPropertyDescription("Let the host pick the CID (libvirt auto='yes'); the VMM needs a fixed one, so"
        + " jvmm refuses true for now")
    public Boolean auto;

    // CIDs 0..2 are reserved (hypervisor, local, host); 0xFFFFFFFF is VMADDR_CID_ANY.
    @Min(3)
    @Max(4294967294L)
    @JsonPropertyDescription("Guest CID, 3..4294967294 (0, 1, 2 are reserved)")
    public Long address;
  }
}
