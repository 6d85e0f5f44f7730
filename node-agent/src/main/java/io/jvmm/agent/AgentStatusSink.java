package io.jvmm.agent;

import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.VirtualMachine;

/** Where status.agent goes: the VM's status subresource, or the standalone agent's memory. */
public interface AgentStatusSink {
  /** Records the agent's view of the VM; called only when it changed. */
  void report(VirtualMachine vm, AgentStatus status) throws Exception;
}
