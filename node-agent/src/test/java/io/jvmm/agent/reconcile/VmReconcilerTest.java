package io.jvmm.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.UpdatePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class VmReconcilerTest {
  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
  private final VmReconciler reconciler = new VmReconciler(Duration.ofSeconds(30),
      new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(10)));

  private static DesiredVm want(RunState run, RestartPolicy policy) {
    return new DesiredVm(run, policy, 3, false);
  }

  @Test
  void startsAVmThatHasNoVmm() {
    VmDecision d = reconciler.decide(want(RunState.RUNNING, RestartPolicy.ALWAYS), VmmObservation.none(), NOW);
    assertThat(d.action()).isEqualTo(VmAction.START);
    assertThat(d.state()).isEqualTo(VmmState.STARTING);
  }

  @Test
  void aPausedSpecAlsoStartsTheVmmAndThenPausesTheGuest() {
    assertThat(reconciler.decide(want(RunState.PAUSED, RestartPolicy.ALWAYS), VmmObservation.none(), NOW).action())
        .isEqualTo(VmAction.START);
    VmDecision d = reconciler.decide(want(RunState.PAUSED, RestartPolicy.ALWAYS), VmmObservation.running("running"),
        NOW);
    assertThat(d.action()).isEqualTo(VmAction.PAUSE);
  }

  @Test
  void resumesAPausedGuestWhenTheSpecSaysRunning() {
    VmDecision d = reconciler.decide(want(RunState.RUNNING, RestartPolicy.ALWAYS), VmmObservation.running("paused"),
        NOW);
    assertThat(d.action()).isEqualTo(VmAction.RESUME);
    assertThat(d.state()).isEqualTo(VmmState.PAUSED);
  }

  @Test
  void reportsRunningAndPausedAsSettled() {
    VmDecision running = reconciler.decide(want(RunState.RUNNING, RestartPolicy.ALWAYS),
        VmmObservation.running("running"), NOW);
    assertThat(running.action()).isEqualTo(VmAction.NONE);
    assertThat(running.state()).isEqualTo(VmmState.RUNNING);
    VmDecision paused = reconciler.decide(want(RunState.PAUSED, RestartPolicy.ALWAYS),
        VmmObservation.running("paused"), NOW);
    assertThat(paused.action()).isEqualTo(VmAction.NONE);
    assertThat(paused.state()).isEqualTo(VmmState.PAUSED);
  }

  @Test
  void aVmmThatStopsAnsweringIsUnknownAndLeftAlone() {
    VmDecision d = reconciler.decide(want(RunState.RUNNING, RestartPolicy.ALWAYS), VmmObservation.silent(), NOW);
    assertThat(d.action()).isEqualTo(VmAction.NONE);
    assertThat(d.state()).isEqualTo(VmmState.UNKNOWN);
    assertThat(d.message()).contains("not killed, not started again");
  }

  @Test
  void waitsForQmpBeforeReportingRunning() {
    VmDecision d = reconciler.decide(want(RunState.RUNNING, RestartPolicy.ALWAYS), VmmObservation.running(null), NOW);
    assertThat(d.action()).isEqualTo(VmAction.NONE);
    assertThat(d.state()).isEqualTo(VmmState.STARTING);
  }

  @Test
  void stoppedPowersDownThenQuitsAfterTheGrace() {
    DesiredVm stop = want(RunState.STOPPED, RestartPolicy.ALWAYS);
    VmDecision first = reconciler.decide(stop, VmmObservation.running("running"), NOW);
    assertThat(first.action()).isEqualTo(VmAction.POWERDOWN);
    assertThat(first.retryAt()).isEqualTo(NOW.plusSeconds(30));

    VmmObservation sent = VmmObservation.running("running").withPowerdownSentAt(NOW);
    VmDecision waiting = reconciler.decide(stop, sent, NOW.plusSeconds(10));
    assertThat(waiting.action()).isEqualTo(VmAction.NONE);
    assertThat(waiting.retryAt()).isEqualTo(NOW.plusSeconds(30));

    assertThat(reconciler.decide(stop, sent, NOW.plusSeconds(30)).action()).isEqualTo(VmAction.QUIT);
  }

  @Test
  void aStoppedVmWhoseVmmEndedIsSettled() {
    DesiredVm stop = want(RunState.STOPPED, RestartPolicy.ALWAYS);
    VmDecision d = reconciler.decide(stop, VmmObservation.exited(0, NOW, true, 3, 0), NOW);
    assertThat(d.action()).isEqualTo(VmAction.NONE);
    assertThat(d.state()).isEqualTo(VmmState.STOPPED);
    assertThat(reconciler.decide(stop, VmmObservation.none(), NOW).state()).isEqualTo(VmmState.STOPPED);
  }

  @Test
  void runningAgainAfterAStopStartsWithoutCountingARestart() {
    VmDecision d = reconciler.decide(want(RunState.RUNNING, RestartPolicy.NEVER),
        VmmObservation.exited(0, NOW, true, 2, 0), NOW);
    assertThat(d.action()).isEqualTo(VmAction.START);
  }

  @Test
  void aChangedSpecRestartsTheVmmOnlyWhenAskedOrUnderUpdatePolicyRestart() {
    VmmObservation drifted = VmmObservation.running("running").withSpecDrift(List.of("spec.memory"), false);
    VmDecision manual = reconciler.decide(want(RunState.RUNNING, RestartPolicy.NEVER), drifted, NOW);
    assertThat(manual.action()).isEqualTo(VmAction.NONE);
    assertThat(manual.state()).isEqualTo(VmmState.RUNNING);

    DesiredVm restartOnChange = new DesiredVm(RunState.RUNNING, RestartPolicy.NEVER, UpdatePolicy.RESTART, 3, false);
    VmDecision automatic = reconciler.decide(restartOnChange, drifted, NOW);
    assertThat(automatic.action()).isEqualTo(VmAction.POWERDOWN);
    assertThat(automatic.message()).contains("spec.updatePolicy Restart and spec.memory changed");

    VmmObservation asked = VmmObservation.running("running").withSpecDrift(List.of(), true);
    assertThat(reconciler.decide(want(RunState.RUNNING, RestartPolicy.NEVER), asked, NOW).message())
        .contains("kubectl vm restart");
    VmDecision late = reconciler.decide(want(RunState.RUNNING, RestartPolicy.NEVER),
        asked.withPowerdownSentAt(NOW.minusSeconds(31)), NOW);
    assertThat(late.action()).as("a guest that ignores the power button").isEqualTo(VmAction.QUIT);
    // The VMM ended as asked: a new one starts whatever the restart policy.
    assertThat(reconciler.decide(want(RunState.RUNNING, RestartPolicy.NEVER), VmmObservation.exited(0, NOW, true, 3, 0),
        NOW).action()).isEqualTo(VmAction.START);
  }

  @Test
  void deletionQuitsTheVmmThenCleansUp() {
    DesiredVm deleting = new DesiredVm(RunState.RUNNING, RestartPolicy.ALWAYS, 3, true);
    assertThat(reconciler.decide(deleting, VmmObservation.running("running"), NOW).action())
        .isEqualTo(VmAction.QUIT);
    VmDecision gone = reconciler.decide(deleting, VmmObservation.exited(0, NOW, true, 3, 0), NOW);
    assertThat(gone.action()).isEqualTo(VmAction.CLEAN_UP);
    assertThat(gone.state()).isEqualTo(VmmState.ABSENT);
    assertThat(reconciler.decide(null, VmmObservation.none(), NOW).action()).isEqualTo(VmAction.CLEAN_UP);
  }

  @Test
  void alwaysRestartsAKilledVmmAfterTheBackoffAndReportsFailedMeanwhile() {
    DesiredVm always = want(RunState.RUNNING, RestartPolicy.ALWAYS);
    VmmObservation killed = VmmObservation.exited(137, NOW, false, 3, 2);
    VmDecision early = reconciler.decide(always, killed, NOW.plusSeconds(1));
    assertThat(early.action()).isEqualTo(VmAction.NONE);
    assertThat(early.state()).isEqualTo(VmmState.FAILED);
    assertThat(early.message()).contains("137 (signal 9, KILL)").contains("Always");
    assertThat(early.retryAt()).isEqualTo(NOW.plusSeconds(4));
    assertThat(reconciler.decide(always, killed, NOW.plusSeconds(4)).action()).isEqualTo(VmAction.RESTART);
  }

  @Test
  void alwaysRestartsAfterACleanGuestShutdownToo() {
    VmDecision d = reconciler.decide(want(RunState.RUNNING, RestartPolicy.ALWAYS),
        VmmObservation.exited(0, NOW, false, 3, 0), NOW.plusSeconds(1));
    assertThat(d.action()).isEqualTo(VmAction.RESTART);
    assertThat(d.state()).isEqualTo(VmmState.STOPPED);
  }

  @Test
  void onFailureRestartsOnlyAbnormalEnds() {
    DesiredVm onFailure = want(RunState.RUNNING, RestartPolicy.ON_FAILURE);
    VmDecision clean = reconciler.decide(onFailure, VmmObservation.exited(0, NOW, false, 3, 0), NOW.plusSeconds(5));
    assertThat(clean.action()).as("the source hears that the VM ended").isEqualTo(VmAction.ENDED);
    assertThat(clean.state()).isEqualTo(VmmState.STOPPED);
    assertThat(clean.message()).contains("OnFailure");
    assertThat(reconciler.decide(onFailure, VmmObservation.exited(1, NOW, false, 3, 0), NOW.plusSeconds(5)).action())
        .isEqualTo(VmAction.RESTART);
    assertThat(reconciler.decide(onFailure, VmmObservation.exited(null, NOW, false, 3, 0), NOW.plusSeconds(5))
        .action()).isEqualTo(VmAction.RESTART);
  }

  @Test
  void neverLeavesAFailedVmFailedUntilTheSpecChanges() {
    VmmObservation failed = VmmObservation.exited(1, NOW, false, 3, 0);
    VmDecision d = reconciler.decide(want(RunState.RUNNING, RestartPolicy.NEVER), failed, NOW.plusSeconds(100));
    assertThat(d.action()).isEqualTo(VmAction.ENDED);
    assertThat(d.state()).isEqualTo(VmmState.FAILED);
    DesiredVm newGeneration = new DesiredVm(RunState.RUNNING, RestartPolicy.NEVER, 4, false);
    assertThat(reconciler.decide(newGeneration, failed, NOW.plusSeconds(100)).action()).isEqualTo(VmAction.START);
  }

  @Test
  void aVmRefusedOnThisNodeStaysFailedWhateverThePolicyUntilItsSpecChanges() {
    VmmObservation refused = VmmObservation.refused(NOW, 3);
    VmDecision d = reconciler.decide(want(RunState.RUNNING, RestartPolicy.ALWAYS), refused, NOW.plusSeconds(600));
    assertThat(d.action()).isEqualTo(VmAction.NONE);
    assertThat(d.state()).isEqualTo(VmmState.FAILED);
    DesiredVm fixed = new DesiredVm(RunState.RUNNING, RestartPolicy.ALWAYS, 4, false);
    assertThat(reconciler.decide(fixed, refused, NOW).action()).isEqualTo(VmAction.START);
    assertThat(reconciler.decide(new DesiredVm(RunState.RUNNING, RestartPolicy.ALWAYS, 3, true), refused, NOW)
        .action()).isEqualTo(VmAction.CLEAN_UP);
  }

  @Test
  void backoffDoublesUpToItsMaximum() {
    RestartBackoff b = new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1));
    assertThat(b.delayAfter(0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.delayAfter(1)).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.delayAfter(3)).isEqualTo(Duration.ofSeconds(8));
    assertThat(b.delayAfter(4)).isEqualTo(Duration.ofSeconds(10));
    assertThat(b.delayAfter(100)).isEqualTo(Duration.ofSeconds(10));
  }
}
