package io.jvmm.agent.reconcile;

import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.UpdatePolicy;
import io.jvmm.crds.v1alpha1.VirtualMachine;

/**
 * What the VM's spec asks of this node: the run state, the restart and update policies, and
 * whether the VM is being deleted (or no longer assigned here, which is the same for the node).
 */
public record DesiredVm(RunState runState, RestartPolicy restartPolicy, UpdatePolicy updatePolicy, long generation,
    boolean deleting) {
  /** The VM is gone from this node: deleted, or scheduled elsewhere. */
  public static final DesiredVm GONE = new DesiredVm(RunState.STOPPED, RestartPolicy.NEVER, UpdatePolicy.MANUAL, 0, true);

  public DesiredVm(RunState runState, RestartPolicy restartPolicy, long generation, boolean deleting) {
    this(runState, restartPolicy, UpdatePolicy.MANUAL, generation, deleting);
  }

  public static DesiredVm of(VirtualMachine vm) {
    var spec = vm.getSpec();
    RunState run = spec == null || spec.runState == null ? RunState.RUNNING : spec.runState;
    RestartPolicy restart = spec == null || spec.restartPolicy == null ? RestartPolicy.ALWAYS : spec.restartPolicy;
    Long generation = vm.getMetadata().getGeneration();
    UpdatePolicy update = spec == null || spec.updatePolicy == null ? UpdatePolicy.MANUAL : spec.updatePolicy;
    boolean deleting = vm.getMetadata().getDeletionTimestamp() != null;
    return new DesiredVm(run, restart, update, generation == null ? 0 : generation, deleting);
  }

  public DesiredVm withRunState(RunState state) {
    return new DesiredVm(state, restartPolicy, updatePolicy, generation, deleting);
  }
}
