package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a change to a running VM's spec that only a new VMM can carry (memory, vCPUs, devices,
 * boot) does. Changes of runState, restartPolicy, updatePolicy and placement act at once either way.
 */
public enum UpdatePolicy {
  /**
   * The VM runs on as it started; its status says RestartRequired, naming the fields, until
   * {@code kubectl vm restart} or the next start applies them.
   */
  @JsonProperty("Manual") MANUAL,
  /** The node agent restarts the VM at once (ACPI power-off, then a new VMM from the changed spec). */
  @JsonProperty("Restart") RESTART
}
