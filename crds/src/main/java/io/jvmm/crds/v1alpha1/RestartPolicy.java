package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the operator does when the VMM process ends while spec.runState is Running,
 * after KubeVirt's runStrategy (Always, RerunOnFailure, Manual).
 */
public enum RestartPolicy {
  /** Start the VMM again whenever it ends: guest shutdown, guest crash, VMM crash or node loss. */
  @JsonProperty("Always") ALWAYS,
  /**
   * Start it again only when it ended abnormally (non-zero exit, signal, guest panic, node
   * loss); a clean guest shutdown leaves the VM Stopped until runState is set again.
   */
  @JsonProperty("OnFailure") ON_FAILURE,
  /** Never start it again on its own; the phase shows Stopped or Failed. */
  @JsonProperty("Never") NEVER
}
