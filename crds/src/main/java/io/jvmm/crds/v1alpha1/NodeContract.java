package io.jvmm.crds.v1alpha1;

/**
 * Names shared by the operator and the node agents: what an agent publishes on its Node, how
 * the operator marks a VM for a node, and the finalizer that holds deletion for the VMM.
 */
public final class NodeContract {
  /** Node label: the node's architecture as the VM spec names it, x86_64 or aarch64. */
  public static final String ARCH_LABEL = VirtualMachine.GROUP + "/arch";
  /** Node label: "true" where /dev/kvm is usable for VMs. */
  public static final String KVM_LABEL = VirtualMachine.GROUP + "/kvm";
  /** Node annotation: vCPUs the agent offers to VMs, a whole number. */
  public static final String ALLOCATABLE_VCPUS_ANNOTATION = VirtualMachine.GROUP + "/allocatable-vcpus";
  /** Node annotation: memory the agent offers to VMs, in bytes. */
  public static final String ALLOCATABLE_MEMORY_ANNOTATION = VirtualMachine.GROUP + "/allocatable-memory";
  /** Node annotation: PCI addresses of host devices bound to vfio-pci, comma-separated. */
  public static final String PASSTHROUGH_DEVICES_ANNOTATION = VirtualMachine.GROUP + "/passthrough-devices";
  /** The heartbeat Lease of node N's agent is named LEASE_PREFIX + N, in the agent's namespace. */
  public static final String LEASE_PREFIX = "jvmm-agent-";
  /**
   * VM label set by the operator to the node it chose (mirrors status.nodeName): custom
   * resources cannot be watched by a status field, so each agent watches by this label.
   */
  public static final String NODE_LABEL = VirtualMachine.GROUP + "/node";
  /** VM finalizer: deletion waits until the agent reports the VMM gone (status.agent.state Absent). */
  public static final String VMM_FINALIZER = VirtualMachine.GROUP + "/vmm";
  /** Field manager of the agent's server-side applies to status.agent. */
  public static final String AGENT_FIELD_MANAGER = "jvmm-node-agent";

  private NodeContract() {
  }
}
