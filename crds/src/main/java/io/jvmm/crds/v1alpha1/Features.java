package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** libvirt {@code <features>}: standard VMs boot with ACPI, and aarch64 ones with a GICv3. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"acpi", "gic"})
@ValidationRule(value = "has(self.acpi) && self.acpi",
    message = "acpi must be true: the VMM describes standard VMs with ACPI tables")
public class Features {
  @JsonPropertyDescription("<acpi/>: must be true, the VMM always describes the machine with ACPI tables")
  public Boolean acpi;

  @JsonPropertyDescription("<gic version='3'/>: the interrupt controller, on aarch64 only")
  public Gic gic;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Gic {
    @Required
    @Min(3)
    @Max(3)
    @JsonPropertyDescription("GIC version: 3, the only one the virt machine has")
    public Integer version;
  }
}
