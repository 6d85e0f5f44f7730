package io.jvmm.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.UpdatePolicy;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus.Phase;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The one place where a VM's status is made.  From an observation it derives the phase and the
 * conditions in the form kstatus reads (Flux, kapply and kubectl's wait follow it; Argo CD's
 * health script in deploy/argocd reads the same): Reconciling while the VM moves towards its
 * spec, Stalled when it cannot get there without a change from outside, neither once it settled
 * where spec.runState asks. Ready says whether the guest runs as asked; it is left out where
 * the spec asks for no running guest and none runs (Paused, Stopped, or ended for good under
 * its restartPolicy), because kstatus reads a False Ready as work in progress, forever. A
 * running VM whose spec changed in what only a new VMM applies keeps Ready but says
 * RestartRequired, naming the fields; kstatus reads it as Stalled (Failed) until
 * kubectl vm restart, or as Reconciling while the agent restarts it (updatePolicy Restart).
 * It never writes status.agent, which belongs to the node agent.
 */
public final class VmStatusBuilder {
    /** kstatus: the object is moving towards its spec. */
    public static final String RECONCILING = "Reconciling";
    /** kstatus: the object cannot reach its spec without a change from outside. */
    public static final String STALLED = "Stalled";

    public VirtualMachineStatus build(VmObservation vm, List<Condition> previous, Instant now) {
        Outcome outcome = outcome(vm);
        List<String> drift = restartRequiredBy(vm, outcome);
        Outcome settle = outcome;
        if (!drift.isEmpty() && outcome.settling == Settling.SETTLED) {
            // Settled where runState asks, but not as the spec says: the agent restarts it
            // (updatePolicy Restart), or it waits for someone to (kubectl vm restart).
            boolean restarting = vm.updatePolicy() == UpdatePolicy.RESTART;
            settle = new Outcome(outcome.phase, outcome.ready, restarting ? "Restarting" : "RestartRequired",
                    restarting ? "the node agent restarts the VM to apply " + String.join(", ", drift)
                        : restartMessage(drift), restarting ? Settling.MOVING : Settling.STALLED);
        }
        ConditionSet conditions = new ConditionSet(previous, vm.generation(), now);
        if (outcome.ready || outcome.settling != Settling.SETTLED) {
            conditions.set(VirtualMachineStatus.CONDITION_READY, outcome.ready, outcome.reason, outcome.message);
        }
        if (vm.node().isPresent()) {
            conditions.set(VirtualMachineStatus.CONDITION_SCHEDULED, true, "Scheduled", "placed on node " + vm.node().get());
        } else {
            conditions.set(VirtualMachineStatus.CONDITION_SCHEDULED, false, outcome.reason, outcome.message);
        }
        boolean paused = vm.currentAgentReport().map(a -> a.state == VmmState.PAUSED).orElse(false);
        conditions.set(VirtualMachineStatus.CONDITION_PAUSED, paused, paused ? "Paused" : "NotPaused",
                paused ? "the guest's vCPUs are stopped" : "the guest is not paused");
        conditions.set(VirtualMachineStatus.CONDITION_RESTART_REQUIRED, !drift.isEmpty(),
                drift.isEmpty() ? "AsSpecified" : "SpecChanged",
                drift.isEmpty() ? "the VMM runs as the spec asks" : restartMessage(drift));
        conditions.set(RECONCILING, settle.settling == Settling.MOVING, settle.reason, settle.message);
        conditions.set(STALLED, settle.settling == Settling.STALLED, settle.reason, settle.message);

        VirtualMachineStatus status = new VirtualMachineStatus();
        status.phase = outcome.phase;
        status.nodeName = vm.node().orElse(null);
        status.qmpStatus = vm.currentAgentReport().map(a -> a.qmpStatus).orElse(null);
        status.observedGeneration = vm.generation();
        status.conditions = conditions.build();
        return status;
    }

    /** The spec fields a new VMM would apply, when the agent reports a live one started before they changed. */
    private static List<String> restartRequiredBy(VmObservation vm, Outcome outcome) {
        if (outcome.phase != Phase.RUNNING && outcome.phase != Phase.PAUSED) {
            return List.of();
        }
        return vm.currentAgentReport().map(a -> a.restartRequiredBy).filter(d -> d != null).orElse(List.of());
    }

    private static String restartMessage(List<String> drift) {
        return String.join(", ", drift) + " changed since the VMM started and apply at its next start: kubectl vm"
                + " restart NAME (or spec.updatePolicy Restart)";
    }

    private enum Settling { SETTLED, MOVING, STALLED }

    private record Outcome(Phase phase, boolean ready, String reason, String message, Settling settling) {}

    private Outcome outcome(VmObservation vm) {
        if (!vm.problems().isEmpty()) {
            return new Outcome(Phase.FAILED, false, "InvalidSpec", String.join("; ", vm.problems()), Settling.STALLED);
        }
        if (vm.deleting()) {
            return new Outcome(Phase.STOPPING, false, "Deleting", "waiting for the VMM to exit before deletion", Settling.MOVING);
        }
        if (vm.nodeLost()) {
            return new Outcome(Phase.FAILED, false, "NodeLost", "the node agent of " + vm.node().orElse("its node")
                    + " stopped heartbeating or the node is gone", Settling.STALLED);
        }
        if (vm.node().isEmpty()) {
            if (vm.runState() == RunState.STOPPED) {
                return new Outcome(Phase.STOPPED, false, "Stopped", "spec.runState is Stopped", Settling.SETTLED);
            }
            return new Outcome(Phase.PENDING, false, "Unschedulable",
                    vm.unschedulableMessage().orElse("waiting for a node"), Settling.MOVING);
        }
        Optional<AgentStatus> report = vm.currentAgentReport();
        Optional<AgentStatus> earlier = vm.agentReportOnNode().filter(a -> a.state != null);
        if (report.isEmpty() && earlier.isPresent()) {
            // The spec changed and the agent has not answered it yet: what runs there is still
            // known, so the phase stays what it is instead of falling back to "waiting for the
            // agent to start the VMM"; it is not settled.
            return new Outcome(phaseOf(earlier.get().state), false, "Changing", "the node agent has not yet acted on"
                    + " generation " + vm.generation() + " (it reported " + earlier.get().state + " for generation "
                    + earlier.get().observedGeneration + ")", Settling.MOVING);
        }
        if (report.isEmpty() || report.get().state == null) {
            if (vm.runState() == RunState.STOPPED) {
                return new Outcome(Phase.STOPPED, false, "Stopped", "spec.runState is Stopped", Settling.SETTLED);
            }
            return new Outcome(Phase.SCHEDULED, false, "Starting", "waiting for the node agent to start the VMM", Settling.MOVING);
        }
        AgentStatus agent = report.get();
        String said = agent.message == null ? "" : ": " + agent.message;
        return switch (agent.state) {
            case STARTING -> new Outcome(Phase.STARTING, false, "Starting", "the VMM is starting" + said, Settling.MOVING);
            case RUNNING -> vm.runState() == RunState.RUNNING
                    ? new Outcome(Phase.RUNNING, true, "Running", "the guest is running", Settling.SETTLED)
                    : new Outcome(Phase.RUNNING, false, "Changing", "the guest runs; spec.runState is "
                        + name(vm.runState()), Settling.MOVING);
            case PAUSED -> vm.runState() == RunState.PAUSED
                    ? new Outcome(Phase.PAUSED, false, "Paused", "the guest is paused as spec.runState asks", Settling.SETTLED)
                    : new Outcome(Phase.PAUSED, false, "Changing", "the guest is paused; spec.runState is "
                        + name(vm.runState()), Settling.MOVING);
            case STOPPED, ABSENT -> vm.runState() == RunState.STOPPED
                    ? new Outcome(Phase.STOPPED, false, "Stopped", "the VMM is stopped as spec.runState asks", Settling.SETTLED)
                    : endedForGood(vm, agent)
                        ? new Outcome(Phase.STOPPED, false, "Ended", "the VMM ended" + said + "; restartPolicy "
                            + policyName(vm.restartPolicy()) + " does not start it again (kubectl vm stop, then start, does)",
                            Settling.SETTLED)
                        : new Outcome(Phase.STOPPED, false, "Stopped", "the VMM ended" + said, Settling.MOVING);
            case FAILED -> new Outcome(Phase.FAILED, false, "VmmFailed", "the VMM failed"
                    + (agent.exitCode == null ? "" : " with exit status " + agent.exitCode) + said, Settling.STALLED);
            case UNKNOWN -> new Outcome(Phase.UNKNOWN, false, "Unresponsive", "the VMM does not answer" + said,
                    Settling.MOVING);
        };
    }

    /** Whether the agent leaves an ended VMM ended: its restart policy does not cover how it ended. */
    private static boolean endedForGood(VmObservation vm, AgentStatus agent) {
        return switch (vm.restartPolicy()) {
            case ALWAYS -> false;
            case ON_FAILURE -> agent.exitCode != null && agent.exitCode == 0;
            case NEVER -> true;
        };
    }

    private static String policyName(RestartPolicy policy) {
        return switch (policy) {
            case ALWAYS -> "Always";
            case ON_FAILURE -> "OnFailure";
            case NEVER -> "Never";
        };
    }

    private static Phase phaseOf(VmmState state) {
        return switch (state) {
            case STARTING -> Phase.STARTING;
            case RUNNING -> Phase.RUNNING;
            case PAUSED -> Phase.PAUSED;
            case STOPPED, ABSENT -> Phase.STOPPED;
            case FAILED -> Phase.FAILED;
            case UNKNOWN -> Phase.UNKNOWN;
        };
    }

    private static String name(RunState state) {
        return switch (state) {
            case RUNNING -> "Running";
            case PAUSED -> "Paused";
            case STOPPED -> "Stopped";
        };
    }
}
