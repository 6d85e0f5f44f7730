package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/**
 * The domain XML's content in Kubernetes naming: each element becomes an object, each
 * attribute a field, repeated elements a list, element text a value field ({@code path} for
 * file names). Fields the operator needs and libvirt does not have come last.
 */
@JsonClassDescription("The VM as libvirt's domain XML describes it (memory, vcpu, iothreads, os, features,"
    + " emulator, devices), then how jvmm runs it (runState, restartPolicy, rebootPolicy, updatePolicy, nodeName,"
    + " nodeSelector)")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"memory", "vcpu", "iothreads", "os", "features", "emulator", "devices",
    "runState", "restartPolicy", "rebootPolicy", "nodeName", "nodeSelector"})
// Rules across fields, so that the API server refuses what one object shows wrong; the rest
// (addresses naming controllers, shared addresses, node paths) is domain-mapping's validation.
@ValidationRule(value = "self.os.arch == 'aarch64' ? has(self.features.gic) : !has(self.features.gic)",
    message = "features.gic goes with arch aarch64 (set gic.version 3) and not with x86_64 (remove it)")
@ValidationRule(value = "!has(self.devices) || !has(self.devices.disks) || self.devices.disks.all(d, !has(d.driver)"
    + " || !has(d.driver.iothread) || (has(self.iothreads) && d.driver.iothread <= self.iothreads))",
    message = "a disk's driver.iothread must be one of 1..spec.iothreads")
public class VirtualMachineSpec {

  /**
   * Memory size: digits followed by a libvirt unit (b, bytes, KB, KiB, MB, MiB, GB, GiB, TB,
   * TiB, PB, PiB, EB, EiB) or a Kubernetes quantity suffix (k, Ki, M, Mi, G, Gi, T, Ti, P,
   * Pi, E, Ei); no suffix means bytes. libvirt's one-letter units (K, M, G...) are binary and
   * Kubernetes' decimal, so the domain XML importer writes them with their iB spelling.
   */
  @Required
  @Pattern(Quantities.MEMORY_PATTERN)
  @JsonPropertyDescription("Guest memory: digits and a libvirt unit (KiB, MiB, GiB, KB, MB, GB, ...) or a Kubernetes"
      + " quantity suffix (Ki, Mi, Gi, k, M, G, ...), e.g. 8GiB, 8192MiB or 8Gi; a whole number of MiB")
  public String memory;

  @Required
  @Min(1)
  @Max(254)
  @JsonPropertyDescription("Number of vCPUs (libvirt <vcpu>); CPU topology is not supported")
  public Integer vcpu;

  @Min(0)
  @Max(64)
  @JsonPropertyDescription("Number of I/O threads (libvirt <iothreads>), named iothread1..iothreadN")
  public Integer iothreads;

  @Required
  @JsonPropertyDescription("How the guest boots (libvirt <os>): arch and machine, then a kernel (direct kernel"
      + " boot) or UEFI firmware (loader, nvram)")
  public Os os;

  @Required
  @JsonPropertyDescription("Machine features (libvirt <features>): acpi, which must be true, and gic on aarch64")
  public Features features;

  @Pattern(Quantities.ABSOLUTE_PATH_PATTERN)
  @Size(max = Quantities.MAX_PATH_LENGTH)
  @JsonPropertyDescription("Path of the VMM binary on the node (libvirt <emulator>); the node's jvmm when absent")
  public String emulator;

  @JsonPropertyDescription("The guest's devices (libvirt <devices>): a list per element name, and vsock and"
      + " memballoon at most once")
  public Devices devices;

  @Default("Running")
  @JsonPropertyDescription("Running (default), Paused or Stopped: virsh resume, suspend and destroy as a state")
  public RunState runState;

  @Default("Always")
  @JsonPropertyDescription("When the VMM is started again after it ended: Always (default), OnFailure"
      + " (only after an abnormal end, not after a clean guest shutdown) or Never; libvirt's on_poweroff and on_crash"
      + " restart/restart, destroy/restart and destroy/destroy")
  public RestartPolicy restartPolicy;

  @Default("Reboot")
  @JsonPropertyDescription("What a guest's reboot does: Reboot (default; in the same VMM) or Stop (the VMM ends as"
      + " after a power-off and restartPolicy decides); libvirt's on_reboot restart or destroy")
  public RebootPolicy rebootPolicy;

  @Default("Manual")
  @JsonPropertyDescription("What a change of a running VM's memory, vCPUs, devices or boot does: Manual (default;"
      + " the VM runs on as it started and status says RestartRequired until kubectl vm restart) or Restart (the"
      + " node agent powers the guest off and starts a new VMM from the changed spec at once)")
  public UpdatePolicy updatePolicy;

  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("Run on this node only, as Pod.spec.nodeName; the scheduler picks one when absent")
  public String nodeName;

  @JsonPropertyDescription("Run only on nodes with all these labels, as Pod.spec.nodeSelector")
  public Map<String, String> nodeSelector;
}
