package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;

/**
 * A PCI address as libvirt writes it, {@code <address domain='0x0000' bus='0x01' slot='0x00'
 * function='0x0'/>}: each part a number or a string in hex (0x..) or decimal. A string keeps
 * its spelling, so that a domain converts back to the same text.
 */
@JsonClassDescription("The device's guest PCI address (libvirt <address type='pci'>); when absent it takes the"
    + " lowest free root port, else a free slot of bus 0")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"domain", "bus", "slot", "function"})
public class PciAddress {
  // The API server estimates a CEL rule's cost from the largest value it may see; an
  // int-or-string is dyn to CEL, with no bound it can use, so each operation on it is costed
  // as on a huge value: a regex is refused outright, and these two comparisons fit only
  // because the device lists are short (Devices' maxItems; CrdOnApiServerTest applies the CRD
  // to a real API server to prove it). Numbers are range-checked here, strings only bounded
  // in length; their form is checked by domain-mapping's validation (jvmm-domain validate,
  // the operator, the node agent).
  static final String DOMAIN_RULE = "type(self) == int ? (self >= 0 && self <= 65535) : self.size() <= 6";
  static final String BUS_RULE = "type(self) == int ? (self >= 0 && self <= 255) : self.size() <= 6";
  static final String SLOT_RULE = "type(self) == int ? (self >= 0 && self <= 31) : self.size() <= 6";
  static final String FUNCTION_RULE = "type(self) == int ? (self >= 0 && self <= 7) : self.size() <= 6";

  @ValidationRule(value = DOMAIN_RULE, message = "domain must be a number in 0..0xffff, or a hex (0x..) or decimal string of at most 6 characters")
  @JsonPropertyDescription("PCI domain (segment), 0 for all devices of a jvmm guest")
  public IntOrString domain;

  @Required
  @ValidationRule(value = BUS_RULE, message = "bus must be a number in 0..0xff, or a hex (0x..) or decimal string of at most 6 characters")
  @JsonPropertyDescription("PCI bus: 0 is the root complex (pcie.0), N the pcie-root-port controller of index N")
  public IntOrString bus;

  @Required
  @ValidationRule(value = SLOT_RULE, message = "slot must be a number in 0..0x1f, or a hex (0x..) or decimal string of at most 6 characters")
  @JsonPropertyDescription("PCI slot (device number): 0 behind a root port, 1..0x1e on bus 0")
  public IntOrString slot;

  @ValidationRule(value = FUNCTION_RULE, message = "function must be a number in 0..7, or a hex (0x..) or decimal string of at most 6 characters")
  @JsonPropertyDescription("PCI function, 0 when absent")
  public IntOrString function;

  public PciAddress() {
  }

  public PciAddress(IntOrString domain, IntOrString bus, IntOrString slot, IntOrString function) {
    this.domain = domain;
    this.bus = bus;
    this.slot = slot;
    this.function = function;
  }

  /**
   * The numeric value of one part, reading strings as libvirt does (0x.. hex, else decimal);
   * 0 when absent (libvirt's default), -1 when unreadable, so that validation can name it.
   */
  public static int valueOf(IntOrString part) {
    if (part == null) {
      return 0;
    }
    if (part.getIntVal() != null) {
      return part.getIntVal();
    }
    String s = part.getStrVal();
    if (s == null) {
      return 0;
    }
    try {
      if (s.startsWith("0x") || s.startsWith("0X")) {
        return s.length() > 2 && s.length() <= 10 ? Integer.parseInt(s.substring(2), 16) : -1;
      }
      return s.matches("0|[1-9][0-9]{0,8}") ? Integer.parseInt(s) : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @JsonIgnore
  public int domainNumber() {
    return valueOf(domain);
  }

  @JsonIgnore
  public int busNumber() {
    return valueOf(bus);
  }

  @JsonIgnore
  public int slotNumber() {
    return valueOf(slot);
  }

  @JsonIgnore
  public int functionNumber() {
    return valueOf(function);
  }

  /** The address in lspci form, dddd:bb:ss.f, as the VMM's vfio-pci host= option takes it. */
  @Override
  public String toString() {
    return String.format("%04x:%02x:%02x.%x", domainNumber(), busNumber(), slotNumber(), functionNumber());
  }
}
