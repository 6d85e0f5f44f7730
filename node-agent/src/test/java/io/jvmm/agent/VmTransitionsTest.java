package io.jvmm.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import java.util.List;
import org.junit.jupiter.api.Test;

class VmTransitionsTest {

  private static AgentStatus status(VmmState state, Long pid, int restarts, Integer exitCode) {
    AgentStatus s = new AgentStatus();
    s.nodeName = "node-a";
    s.state = state;
    s.pid = pid;
    s.restarts = restarts;
    s.exitCode = exitCode;
    return s;
  }

  private static List<String> reasons(List<VmEvent> events) {
    return events.stream().map(VmEvent::reason).toList();
  }

  @Test
  void aFirstLaunchIsStartedAndReachingRunningSaysNothingMore() {
    AgentStatus starting = status(VmmState.STARTING, 42L, 0, null);
    List<VmEvent> started = VmTransitions.between(null, starting, false);

    assertThat(reasons(started)).containsExactly("Started");
    assertThat(started.get(0).warning()).isFalse();
    assertThat(started.get(0).message()).contains("pid 42").contains("node-a");
    assertThat(VmTransitions.between(starting, status(VmmState.RUNNING, 42L, 0, null), false)).isEmpty();
  }

  @Test
  void aKilledVmmIsFailedThenRestarted() {
    AgentStatus running = status(VmmState.RUNNING, 42L, 0, null);
    AgentStatus failed = status(VmmState.FAILED, null, 0, 137);
    failed.message = "restarting in 1s";

    List<VmEvent> failure = VmTransitions.between(running, failed, false);
    assertThat(reasons(failure)).containsExactly("Failed");
    assertThat(failure.get(0).warning()).isTrue();
    assertThat(failure.get(0).message()).contains("exit status 137").contains("restarting in 1s");

    List<VmEvent> restart = VmTransitions.between(failed, status(VmmState.STARTING, 43L, 1, 137), false);
    assertThat(reasons(restart)).containsExactly("Restarted");
    assertThat(restart.get(0).message()).contains("pid 43").contains("restart 1");
    assertThat(VmTransitions.between(failed, failed, false)).as("Failed once, not per report").isEmpty();
  }

  @Test
  void aNewAgentAdoptsARunningVmmAndRepeatsNoSettledState() {
    assertThat(reasons(VmTransitions.between(null, status(VmmState.RUNNING, 42L, 3, null), true)))
        .containsExactly("Adopted");
    assertThat(VmTransitions.between(null, status(VmmState.STOPPED, null, 0, 0), false)).isEmpty();
  }

  @Test
  void stoppingPausingAndResuming() {
    AgentStatus running = status(VmmState.RUNNING, 42L, 0, null);
    AgentStatus paused = status(VmmState.PAUSED, 42L, 0, null);

    assertThat(reasons(VmTransitions.between(running, paused, false))).containsExactly("Paused");
    assertThat(reasons(VmTransitions.between(paused, running, false))).containsExactly("Resumed");
    List<VmEvent> stopped = VmTransitions.between(running, status(VmmState.STOPPED, null, 0, 0), false);
    assertThat(reasons(stopped)).containsExactly("Stopped");
    assertThat(stopped.get(0).warning()).isFalse();
    assertThat(VmTransitions.between(status(VmmState.STOPPED, null, 0, 0), status(VmmState.ABSENT, null, 0, null),
        false)).as("a stopped VM deleted").isEmpty();
  }
}
