package io.jvmm.agent;

import io.jvmm.crds.v1alpha1.VirtualMachine;

/** Where the agent's VM events go: the cluster's Events, or nowhere (standalone). */
public interface VmEventSink {
  VmEventSink NONE = (vm, event) -> { };

  /** Records the event; a failure to record is the sink's to log, never the agent's to handle. */
  void record(VirtualMachine vm, VmEvent event);
}
