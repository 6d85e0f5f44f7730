package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a guest's reboot does: libvirt's on_reboot (restart, its default, or destroy). */
public enum RebootPolicy {
  /** The guest restarts in the same VMM, as on real hardware (libvirt on_reboot restart). */
  @JsonProperty("Reboot") REBOOT,
  /**
   * The VMM ends as if the guest had powered off (libvirt on_reboot destroy; the VMM runs with
   * -no-reboot); spec.restartPolicy then decides.
   */
  @JsonProperty("Stop") STOP
}
