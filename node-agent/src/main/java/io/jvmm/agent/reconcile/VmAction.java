package io.jvmm.agent.reconcile;

/** What the agent does to a VM's VMM next; QMP commands are named as QEMU names them. */
public enum VmAction {
  /** Nothing now; look again at the decision's retry time or on the next event. */
  NONE,
  /** Start the VMM: first start, or again after the VM was Stopped on purpose. */
  START,
  /** Start the VMM again after it ended on its own, as the restart policy says (counted). */
  RESTART,
  /** QMP stop: pause the vCPUs (virsh suspend). */
  PAUSE,
  /** QMP cont: resume the vCPUs (virsh resume). */
  RESUME,
  /** QMP system_powerdown: the ACPI power button, so the guest shuts down cleanly. */
  POWERDOWN,
  /** QMP quit, and a signal when QMP does not answer: the VMM ends now (virsh destroy). */
  QUIT,
  /**
   * Nothing to the VMM, which ended on its own and which the restart policy does not start
   * again: the VM's source is told, and a transient domain (virsh create) goes, as libvirt's does.
   */
  ENDED,
  /** Remove the state directory and report Absent: nothing of the VM is left on the node. */
  CLEAN_UP
}
