package io.jvmm.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.jvmm.cluster.ThirdPartyJudges;
import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.UpdatePolicy;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus.Phase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class VmStatusBuilderTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Instant T1 = Instant.parse("2026-11-24T10:05:00Z");
    private final VmStatusBuilder builder = new VmStatusBuilder();

    private static AgentStatus agent(VmmState state, String qmp, long generation) {
        AgentStatus a = new AgentStatus();
        a.nodeName = "node-1";
        a.state = state;
        a.qmpStatus = qmp;
        a.observedGeneration = generation;
        return a;
    }

    private static VmObservation on(RunState runState, AgentStatus agent) {
        return new VmObservation(3, runState, false, List.of(), Optional.of("node-1"), Optional.empty(), false,
                Optional.ofNullable(agent));
    }

    private static Map<String, Condition> byType(VirtualMachineStatus status) {
        return status.conditions.stream().collect(Collectors.toMap(Condition::getType, c -> c));
    }

    /** The real kstatus's verdict on a VM of this generation with this status. */
    private static String kstatus(VirtualMachineStatus status, long generation) {
        return ThirdPartyJudges.kstatus(vm(status, generation, false)).status();
    }

    private static VirtualMachine vm(VirtualMachineStatus status, long generation, boolean deleting) {
        VirtualMachine vm = new VirtualMachine();
        vm.setMetadata(new ObjectMetaBuilder().withName("vm").withNamespace("default").withGeneration(generation)
                .withDeletionTimestamp(deleting ? T0.toString() : null).build());
        vm.setStatus(status);
        return vm;
    }

    private record Case(String name, VmObservation observation, String kstatus) {}

    private static Case settled(RunState runState, VmmState state, String kstatus) {
        return new Case(runState + " asked, agent " + state, on(runState, agent(state, null, 3)), kstatus);
    }

    private static Case ended(RestartPolicy policy, int exitCode, String kstatus) {
        AgentStatus ended = agent(VmmState.STOPPED, null, 3);
        ended.exitCode = exitCode;
        return new Case("ended " + exitCode + " under " + policy, new VmObservation(3, RunState.RUNNING, false, List.of(),
                Optional.of("node-1"), Optional.empty(), false, Optional.of(ended), UpdatePolicy.MANUAL, policy), kstatus);
    }

    /**
     * Every outcome the builder knows, as the real kstatus (cli-utils, as Flux runs it) reads it:
     * a VM settled where spec.runState asks is Current whether it runs, is paused or is stopped;
     * one on its way is InProgress; one that cannot get there is Failed.
     */
    @Test
    void kstatusReadsEachOutcomeAsSettledMovingOrFailed() {
        List<Case> cases = new ArrayList<>();
        Map<RunState, Map<VmmState, String>> expected = Map.of(
                RunState.RUNNING, Map.of(VmmState.STARTING, "InProgress", VmmState.RUNNING, "Current",
                        VmmState.PAUSED, "InProgress", VmmState.STOPPED, "InProgress", VmmState.ABSENT, "InProgress",
                        VmmState.FAILED, "Failed", VmmState.UNKNOWN, "InProgress"),
                RunState.PAUSED, Map.of(VmmState.STARTING, "InProgress", VmmState.RUNNING, "InProgress",
                        VmmState.PAUSED, "Current", VmmState.STOPPED, "InProgress", VmmState.ABSENT, "InProgress",
                        VmmState.FAILED, "Failed", VmmState.UNKNOWN, "InProgress"),
                RunState.STOPPED, Map.of(VmmState.STARTING, "InProgress", VmmState.RUNNING, "InProgress",
                        VmmState.PAUSED, "InProgress", VmmState.STOPPED, "Current", VmmState.ABSENT, "Current",
                        VmmState.FAILED, "Failed", VmmState.UNKNOWN, "InProgress"));
        for (RunState runState : RunState.values()) {
            for (VmmState state : VmmState.values()) {
                cases.add(settled(runState, state, expected.get(runState).get(state)));
            }
        }
        cases.add(ended(RestartPolicy.NEVER, 0, "Current"));
        cases.add(ended(RestartPolicy.NEVER, 1, "Current"));
        cases.add(ended(RestartPolicy.ON_FAILURE, 0, "Current"));
        cases.add(ended(RestartPolicy.ON_FAILURE, 1, "InProgress"));
        cases.add(ended(RestartPolicy.ALWAYS, 0, "InProgress"));
        cases.add(new Case("not yet answered by the agent", on(RunState.RUNNING, agent(VmmState.RUNNING, "running", 2)),
                "InProgress"));
        cases.add(new Case("invalid spec", new VmObservation(3, RunState.RUNNING, false, List.of("spec.vcpu: must be 1..254"),
                Optional.empty(), Optional.empty(), false, Optional.empty()), "Failed"));
        cases.add(new Case("unschedulable", new VmObservation(3, RunState.RUNNING, false, List.of(), Optional.empty(),
                Optional.of("no node fits"), false, Optional.empty()), "InProgress"));
        cases.add(new Case("stopped, never placed", new VmObservation(3, RunState.STOPPED, false, List.of(),
                Optional.empty(), Optional.empty(), false, Optional.empty()), "Current"));
        cases.add(new Case("placed, the agent not started yet", on(RunState.RUNNING, null), "InProgress"));
        cases.add(new Case("node lost", new VmObservation(3, RunState.RUNNING, false, List.of(), Optional.of("node-1"),
                Optional.empty(), true, Optional.of(agent(VmmState.RUNNING, "running", 3))), "Failed"));
        AgentStatus drifted = agent(VmmState.RUNNING, "running", 3);
        drifted.restartRequiredBy = List.of("spec.memory");
        cases.add(new Case("restart required, updatePolicy Manual", on(RunState.RUNNING, drifted), "Failed"));
        cases.add(new Case("restart required, updatePolicy Restart", new VmObservation(3, RunState.RUNNING, false,
                List.of(), Optional.of("node-1"), Optional.empty(), false, Optional.of(drifted), UpdatePolicy.RESTART,
                RestartPolicy.ALWAYS), "InProgress"));

        List<VirtualMachine> vms = new ArrayList<>();
        for (Case c : cases) {
            vms.add(vm(builder.build(c.observation(), List.of(), T0), 3, false));
        }
        VmObservation deleting = new VmObservation(3, RunState.RUNNING, true, List.of(), Optional.of("node-1"),
                Optional.empty(), false, Optional.of(agent(VmmState.RUNNING, "running", 3)));
        vms.add(vm(builder.build(deleting, List.of(), T0), 3, true));

        List<ThirdPartyJudges.Verdict> verdicts = ThirdPartyJudges.kstatus(vms);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            if (!cases.get(i).kstatus().equals(verdicts.get(i).status())) {
                wrong.add(cases.get(i).name() + ": kstatus says " + verdicts.get(i) + ", want " + cases.get(i).kstatus());
            }
        }
        assertThat(wrong).as("outcomes kstatus reads otherwise than meant").isEmpty();
        assertThat(verdicts.get(cases.size()).status()).as("a VM being deleted").isEqualTo("Terminating");
    }

    @Test
    void aReportAboutAnOlderSpecKeepsThePhaseButMakesNothingReadyOrSettled() {
        VirtualMachineStatus status = builder.build(on(RunState.PAUSED, agent(VmmState.RUNNING, "running", 2)), List.of(), T0);

        assertThat(status.phase).as("what runs there is still known").isEqualTo(Phase.RUNNING);
        assertThat(byType(status).get("Ready").getReason()).isEqualTo("Changing");
        assertThat(byType(status).get("Ready").getMessage()).contains("generation 3").contains("generation 2");
        assertThat(byType(status).get("Ready").getStatus()).isEqualTo("False");
        assertThat(kstatus(status, 3)).isEqualTo("InProgress");
        assertThat(status.qmpStatus).as("only a report on the current spec counts for QMP status").isNull();
    }

    @Test
    void aRunningVmStartedFromAnEarlierSpecStaysReadyAndSaysRestartRequiredNamingTheFields() {
        AgentStatus running = agent(VmmState.RUNNING, "running", 3);
        running.restartRequiredBy = List.of("spec.devices.disks", "spec.memory");

        VirtualMachineStatus status = builder.build(on(RunState.RUNNING, running), List.of(), T0);

        assertThat(byType(status).get("Ready").getStatus()).isEqualTo("True");
        Condition restart = byType(status).get("RestartRequired");
        assertThat(restart.getStatus()).isEqualTo("True");
        assertThat(restart.getMessage()).startsWith("spec.devices.disks, spec.memory changed since the VMM started")
                .contains("kubectl vm restart");
        assertThat(byType(status).get("Stalled").getReason()).isEqualTo("RestartRequired");
        assertThat(kstatus(status, 3)).as("not settled, and says why").isEqualTo("Failed");

        VmObservation restarting = new VmObservation(3, RunState.RUNNING, false, List.of(), Optional.of("node-1"),
                Optional.empty(), false, Optional.of(running), UpdatePolicy.RESTART, RestartPolicy.ALWAYS);
        VirtualMachineStatus moving = builder.build(restarting, List.of(), T0);
        assertThat(byType(moving).get("Reconciling").getMessage()).contains("restarts the VM to apply spec.devices.disks");
        assertThat(kstatus(moving, 3)).isEqualTo("InProgress");

        running.restartRequiredBy = null;
        VirtualMachineStatus asSpecified = builder.build(on(RunState.RUNNING, running), List.of(), T0);
        assertThat(byType(asSpecified).get("RestartRequired").getStatus()).isEqualTo("False");
        assertThat(kstatus(asSpecified, 3)).isEqualTo("Current");
    }

    @Test
    void aRunningGuestIsReadyAndCurrent() {
        VirtualMachineStatus status = builder.build(on(RunState.RUNNING, agent(VmmState.RUNNING, "running", 3)), List.of(), T0);

        assertThat(status.phase).isEqualTo(Phase.RUNNING);
        assertThat(status.qmpStatus).isEqualTo("running");
        assertThat(status.nodeName).isEqualTo("node-1");
        assertThat(byType(status).get("Ready").getStatus()).isEqualTo("True");
        assertThat(byType(status).get("Scheduled").getStatus()).isEqualTo("True");
        assertThat(byType(status).get("Ready").getObservedGeneration()).isEqualTo(3L);
        assertThat(kstatus(status, 3)).isEqualTo("Current");
    }

    @Test
    void aStoppedVmIsSettledNotProgressing() {
        VirtualMachineStatus status = builder.build(on(RunState.STOPPED, agent(VmmState.STOPPED, null, 3)), List.of(), T0);

        assertThat(status.phase).isEqualTo(Phase.STOPPED);
        assertThat(byType(status)).as("no guest asked for, none running: nothing to be ready").doesNotContainKey("Ready");
        assertThat(byType(status).get("Reconciling").getReason()).isEqualTo("Stopped");
        assertThat(byType(status).get("Reconciling").getStatus()).isEqualTo("False");
        assertThat(kstatus(status, 3)).isEqualTo("Current");
    }

    @Test
    void aVmmThatDoesNotAnswerIsUnknownAndNotSettled() {
        VirtualMachineStatus status = builder.build(on(RunState.RUNNING, agent(VmmState.UNKNOWN, null, 3)), List.of(), T0);

        assertThat(status.phase).isEqualTo(Phase.UNKNOWN);
        assertThat(byType(status).get("Ready").getStatus()).isEqualTo("False");
        assertThat(byType(status).get("Ready").getReason()).isEqualTo("Unresponsive");
        assertThat(kstatus(status, 3)).isEqualTo("InProgress");
    }

    @Test
    void aPausedVmIsPausedAndSettled() {
        VirtualMachineStatus status = builder.build(on(RunState.PAUSED, agent(VmmState.PAUSED, "paused", 3)), List.of(), T0);

        assertThat(status.phase).isEqualTo(Phase.PAUSED);
        assertThat(status.qmpStatus).isEqualTo("paused");
        assertThat(byType(status).get("Paused").getStatus()).isEqualTo("True");
        assertThat(kstatus(status, 3)).isEqualTo("Current");
    }

    @Test
    void anInvalidSpecStallsWithAllItsMessages() {
        VmObservation invalid = new VmObservation(1, RunState.RUNNING, false,
                List.of("spec.vcpu: must be 1..254", "spec.os.kernel: must be absolute"),
                Optional.empty(), Optional.empty(), false, Optional.empty());

        VirtualMachineStatus status = builder.build(invalid, List.of(), T0);

        Condition ready = byType(status).get("Ready");
        assertThat(ready.getReason()).isEqualTo("InvalidSpec");
        assertThat(ready.getMessage()).isEqualTo("spec.vcpu: must be 1..254; spec.os.kernel: must be absolute");
        assertThat(kstatus(status, 1)).isEqualTo("Failed");
    }

    @Test
    void anUnschedulableVmIsPendingWithTheSchedulersReasons() {
        VmObservation pending = new VmObservation(1, RunState.RUNNING, false, List.of(), Optional.empty(),
                Optional.of("no node fits: a: no KVM"), false, Optional.empty());

        VirtualMachineStatus status = builder.build(pending, List.of(), T0);

        assertThat(status.phase).isEqualTo(Phase.PENDING);
        assertThat(byType(status).get("Scheduled").getReason()).isEqualTo("Unschedulable");
        assertThat(byType(status).get("Scheduled").getMessage()).isEqualTo("no node fits: a: no KVM");
    }

    @Test
    void aLostNodeIsReported() {
        VmObservation lost = new VmObservation(1, RunState.RUNNING, false, List.of(), Optional.of("node-1"),
                Optional.empty(), true, Optional.of(agent(VmmState.RUNNING, "running", 1)));

        assertThat(byType(builder.build(lost, List.of(), T0)).get("Ready").getReason()).isEqualTo("NodeLost");
    }

    @Test
    void transitionTimesMoveOnlyWhenAConditionFlips() {
        VirtualMachineStatus first = builder.build(on(RunState.RUNNING, agent(VmmState.RUNNING, "running", 3)), List.of(), T0);
        VirtualMachineStatus same = builder.build(on(RunState.RUNNING, agent(VmmState.RUNNING, "running", 3)), first.conditions, T1);
        VirtualMachineStatus paused = builder.build(on(RunState.PAUSED, agent(VmmState.PAUSED, "paused", 3)), same.conditions, T1);

        assertThat(byType(same).get("Ready").getLastTransitionTime()).isEqualTo(T0.toString());
        assertThat(byType(paused).get("Paused").getLastTransitionTime()).isEqualTo(T1.toString());
        assertThat(byType(paused).get("Scheduled").getLastTransitionTime()).isEqualTo(T0.toString());
    }

    @Test
    void theAgentsFailureCarriesItsExitStatus() {
        AgentStatus failed = agent(VmmState.FAILED, null, 3);
        failed.exitCode = 137;
        failed.message = "killed by signal 9";

        Condition ready = byType(builder.build(on(RunState.RUNNING, failed), List.of(), T0)).get("Ready");

        assertThat(ready.getReason()).isEqualTo("VmmFailed");
        assertThat(ready.getMessage()).isEqualTo("the VMM failed with exit status 137: killed by signal 9");
    }
}
