package io.jvmm.agent.reconcile;

import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.VirtualMachine;

/**
 * What the VM's spec asks of this node: the run state, the restart policy, and whether the VM
 * is being deleted (or no longer assigned here, which is the same for the node).
 */
public record DesiredVm(RunState runState, RestartPolicy restartPolicy, long generation, boolean deleting) {
  /** The VM is gone from this node: deleted, or scheduled elsewhere. */
  public static final DesiredVm GONE = new DesiredVm(RunState.STOPPED, RestartPolicy.NEVER, 0, true);

  public static DesiredVm of(VirtualMachine vm) {
    var spec = vm.getSpec();
    RunState run = spec == null || spec.runState == null ? RunState.RUNNING : spec.runState;
    RestartPolicy restart = spec == null || spec.restartPolicy == null ? RestartPolicy.ALWAYS : spec.restartPolicy;
    Long generation = vm.getMetadata().getGeneration();
    boolean deleting = vm.getMetadata().getDeletionTimestamp() != null;
    return new DesiredVm(run, restart, generation == null ? 0 : generation, deleting);
  }

  public DesiredVm withRunState(RunState state) {
    return new DesiredVm(state, restartPolicy, generation, deleting);
  }
}
