package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** libvirt {@code <os>}: the type element's arch and machine, direct kernel boot and UEFI firmware. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"arch", "machine", "kernel", "initrd", "cmdline", "loader", "nvram"})
@ValidationRule(value = "self.arch == 'x86_64' ? self.machine == 'q35' : self.machine == 'virt'",
    message = "machine must be q35 with arch x86_64 and virt with arch aarch64")
@ValidationRule(value = "has(self.kernel) || has(self.loader)",
    message = "a guest boots from a kernel (os.kernel) or from firmware (os.loader): set one")
@ValidationRule(value = "!has(self.initrd) || has(self.kernel)", message = "initrd needs kernel")
@ValidationRule(value = "!has(self.cmdline) || has(self.kernel)", message = "cmdline needs kernel")
@ValidationRule(value = "!has(self.nvram) || has(self.loader)", message = "nvram needs loader")
public class Os {
  @Required
  @JsonPropertyDescription("Guest architecture (<type arch>): x86_64 or aarch64")
  public Arch arch;

  @Required
  @JsonPropertyDescription("Machine type (<type machine>): q35 on x86_64, virt on aarch64")
  public Machine machine;

  @Pattern(Quantities.ABSOLUTE_PATH_PATTERN)
  @Size(max = Quantities.MAX_PATH_LENGTH)
  @ValidationRule(value = Quantities.NO_DOT_DOT_RULE, message = "kernel must not contain '..' segments")
  @JsonPropertyDescription("Absolute path of the guest kernel on the node (<kernel>)")
  public String kernel;

  @Pattern(Quantities.ABSOLUTE_PATH_PATTERN)
  @Size(max = Quantities.MAX_PATH_LENGTH)
  @ValidationRule(value = Quantities.NO_DOT_DOT_RULE, message = "initrd must not contain '..' segments")
  @JsonPropertyDescription("Absolute path of the initial ramdisk on the node (<initrd>)")
  public String initrd;

  @Size(max = 4096)
  @JsonPropertyDescription("Kernel command line (<cmdline>)")
  public String cmdline;

  @JsonPropertyDescription("<loader>: UEFI firmware code, mapped as pflash")
  public Loader loader;

  @JsonPropertyDescription("<nvram>: the UEFI variable store, with loader")
  public Nvram nvram;

  public enum Arch {
    @com.fasterxml.jackson.annotation.JsonProperty("x86_64") X86_64,
    @com.fasterxml.jackson.annotation.JsonProperty("aarch64") AARCH64
  }

  public enum Machine {
    @com.fasterxml.jackson.annotation.JsonProperty("q35") Q35,
    @com.fasterxml.jackson.annotation.JsonProperty("virt") VIRT
  }

  /** libvirt {@code <loader readonly='yes' type='pflash'>PATH</loader>}: UEFI firmware code. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"readonly", "type", "path"})
  public static class Loader {
    @JsonPropertyDescription("Map the firmware read-only (<loader readonly='yes'>)")
    public Boolean readonly;

    @JsonPropertyDescription("Firmware device type: pflash")
    public LoaderType type;

    @Required
    @Pattern(Quantities.ABSOLUTE_PATH_PATTERN)
  @Size(max = Quantities.MAX_PATH_LENGTH)
    @ValidationRule(value = Quantities.NO_DOT_DOT_RULE, message = "path must not contain '..' segments")
    @JsonPropertyDescription("Absolute path of the firmware code on the node")
    public String path;
  }

  public enum LoaderType {
    @com.fasterxml.jackson.annotation.JsonProperty("pflash") PFLASH
  }

  /** libvirt {@code <nvram template='T'>PATH</nvram>}: the UEFI variable store. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"template", "path"})
  @ValidationRule(value = "has(self.template) || has(self.path)", message = "nvram needs template or path")
  public static class Nvram {
    @Pattern(Quantities.ABSOLUTE_PATH_PATTERN)
  @Size(max = Quantities.MAX_PATH_LENGTH)
    @ValidationRule(value = Quantities.NO_DOT_DOT_RULE, message = "template must not contain '..' segments")
    @JsonPropertyDescription("Variable store copied to path when path does not exist yet")
    public String template;

    @Pattern(Quantities.ABSOLUTE_PATH_PATTERN)
  @Size(max = Quantities.MAX_PATH_LENGTH)
    @ValidationRule(value = Quantities.NO_DOT_DOT_RULE, message = "path must not contain '..' segments")
    @JsonPropertyDescription("This VM's variable store; in the VM's state directory when absent")
    public String path;
  }
}
