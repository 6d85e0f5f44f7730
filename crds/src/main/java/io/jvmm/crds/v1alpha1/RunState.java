package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The state the user wants the guest in: the declarative form of virsh resume (Running),
 * suspend (Paused) and destroy (Stopped). Deleting the object is destroy and undefine.
 */
public enum RunState {
  @JsonProperty("Running") RUNNING,
  @JsonProperty("Paused") PAUSED,
  @JsonProperty("Stopped") STOPPED
}
