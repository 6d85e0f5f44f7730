package io.jvmm.agent.reconcile;

import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.UpdatePolicy;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns what the spec asks (run state, restart policy, deletion) and what the node shows (the
 * VMM process and the guest's QMP status) into the next action and the state to report. Plain
 * logic, no I/O: the agent carries the action out and asks again.
 *
 * <p>spec.runState Stopped powers the guest down (ACPI) and quits the VMM when the guest has not
 * gone after {@code stopGrace}; deletion quits at once, as virsh destroy does. A VMM that ends
 * on its own is started again when the restart policy says so (Always; OnFailure after a
 * non-zero status), after a growing delay; a clean end under OnFailure, or any under Never,
 * leaves the VM Stopped or Failed until the spec changes (a new generation). A live VMM is
 * restarted the same way (power-down, quit after the grace, a new VMM) when kubectl vm restart
 * asks, or when spec.updatePolicy is Restart and fields only a new VMM applies changed.
 */
public final class VmReconciler {
  private final Duration stopGrace;
  private final RestartBackoff backoff;

  public VmReconciler(Duration stopGrace, RestartBackoff backoff) {
    this.stopGrace = stopGrace;
    this.backoff = backoff;
  }

  public VmDecision decide(DesiredVm desired, VmmObservation seen, Instant now) {
    if (desired == null || desired.deleting()) {
      return switch (seen.process()) {
        case RUNNING -> new VmDecision(VmAction.QUIT, liveState(seen), "quitting the VMM: the VM is being deleted"
            + " or was moved off this node", null);
        case NONE, EXITED -> new VmDecision(VmAction.CLEAN_UP, VmmState.ABSENT, "no VMM and no state left on the node",
            null);
      };
    }
    if (desired.runState() == RunState.STOPPED) {
      return stop(seen, now, "spec.runState Stopped");
    }
    if (seen.process() == VmmObservation.Process.RUNNING) {
      if (seen.restartAsked()) {
        return stop(seen, now, "restarting: kubectl vm restart");
      }
      if (desired.updatePolicy() == UpdatePolicy.RESTART && !seen.specDrift().isEmpty()) {
        return stop(seen, now, "restarting: spec.updatePolicy Restart and " + String.join(", ", seen.specDrift())
            + " changed");
      }
    }
    return switch (seen.process()) {
      case NONE -> new VmDecision(VmAction.START, VmmState.STARTING, "starting the VMM", null);
      case RUNNING -> steer(desired.runState(), seen);
      case EXITED -> afterExit(desired, seen, now);
    };
  }

  /** Powers the guest down, then quits the VMM after the grace period; {@code why} goes in the messages. */
  private VmDecision stop(VmmObservation seen, Instant now, String why) {
    if (seen.process() != VmmObservation.Process.RUNNING) {
      return new VmDecision(VmAction.NONE, VmmState.STOPPED, "stopped, as spec.runState Stopped asks", null);
    }
    if (seen.powerdownSentAt() == null) {
      return new VmDecision(VmAction.POWERDOWN, liveState(seen), "powering the guest down (" + why + ")",
          now.plus(stopGrace));
    }
    Instant deadline = seen.powerdownSentAt().plus(stopGrace);
    if (!now.isBefore(deadline)) {
      return new VmDecision(VmAction.QUIT, liveState(seen), "the guest did not power down within "
          + stopGrace.toSeconds() + " s; quitting the VMM", null);
    }
    return new VmDecision(VmAction.NONE, liveState(seen), "waiting for the guest to power down (" + why + ")",
        deadline);
  }

  private VmDecision steer(RunState wanted, VmmObservation seen) {
    String qmp = seen.qmpStatus();
    if (qmp == null && seen.unresponsive()) {
      return new VmDecision(VmAction.NONE, VmmState.UNKNOWN, "the VMM lives but does not answer QMP (stopped or"
          + " hung); left as it is: not killed, not started again", null);
    }
    if (qmp == null) {
      return new VmDecision(VmAction.NONE, VmmState.STARTING, "waiting for the VMM's QMP socket", null);
    }
    boolean paused = "paused".equals(qmp) || "suspended".equals(qmp);
    if (wanted == RunState.PAUSED && "running".equals(qmp)) {
      return new VmDecision(VmAction.PAUSE, VmmState.RUNNING, "pausing the guest (spec.runState Paused)", null);
    }
    if (wanted == RunState.RUNNING && paused) {
      return new VmDecision(VmAction.RESUME, VmmState.PAUSED, "resuming the guest (spec.runState Running)", null);
    }
    if (paused) {
      return new VmDecision(VmAction.NONE, VmmState.PAUSED, "paused, as spec.runState Paused asks", null);
    }
    if ("running".equals(qmp)) {
      return new VmDecision(VmAction.NONE, VmmState.RUNNING, "running", null);
    }
    // prelaunch, inmigrate, shutdown, internal-error...: report what QMP says and wait.
    return new VmDecision(VmAction.NONE, "shutdown".equals(qmp) ? VmmState.RUNNING : VmmState.STARTING,
        "the guest is in QMP status " + qmp, null);
  }

  private VmDecision afterExit(DesiredVm desired, VmmObservation seen, Instant now) {
    if (seen.startRefused()) {
      // Starting again changes nothing until the spec does; no restart policy applies.
      return desired.generation() > seen.exitGeneration()
          ? new VmDecision(VmAction.START, VmmState.STARTING, "starting the VMM with the changed spec", null)
          : new VmDecision(VmAction.NONE, VmmState.FAILED, "the VM cannot run on this node; fix its spec", null);
    }
    Integer code = seen.exitCode();
    boolean failed = code == null || code != 0;
    VmmState state = failed ? VmmState.FAILED : VmmState.STOPPED;
    String how = code == null ? "ended (exit status unknown)" : "exited with status " + describe(code);
    if (seen.exitRequested() || desired.generation() > seen.exitGeneration()) {
      // It ended because the agent asked (the VM was Stopped, now Running again), or the spec
      // changed since: a new run, not a restart.
      return new VmDecision(VmAction.START, VmmState.STARTING, "starting the VMM; the last one " + how, null);
    }
    RestartPolicy policy = desired.restartPolicy();
    boolean restart = policy == RestartPolicy.ALWAYS || (policy == RestartPolicy.ON_FAILURE && failed);
    if (!restart) {
      return new VmDecision(VmAction.ENDED, state, "the VMM " + how + "; not started again (restartPolicy "
          + policyName(policy) + ")", null);
    }
    Duration delay = backoff.delayAfter(seen.recentFailures());
    Instant due = (seen.exitedAt() == null ? now : seen.exitedAt()).plus(delay);
    if (!now.isBefore(due)) {
      return new VmDecision(VmAction.RESTART, state, "the VMM " + how + "; starting it again (restartPolicy "
          + policyName(policy) + ")", null);
    }
    return new VmDecision(VmAction.NONE, state, "the VMM " + how + "; starting it again in "
        + Duration.between(now, due).toMillis() + " ms (restartPolicy " + policyName(policy) + ")", due);
  }

  private static VmmState liveState(VmmObservation seen) {
    if ("paused".equals(seen.qmpStatus()) || "suspended".equals(seen.qmpStatus())) {
      return VmmState.PAUSED;
    }
    if (seen.qmpStatus() == null) {
      return seen.unresponsive() ? VmmState.UNKNOWN : VmmState.STARTING;
    }
    return VmmState.RUNNING;
  }

  private static String policyName(RestartPolicy p) {
    return switch (p) {
      case ALWAYS -> "Always";
      case ON_FAILURE -> "OnFailure";
      case NEVER -> "Never";
    };
  }

  /** 137 reads better as "137 (signal 9, KILL)". */
  static String describe(int code) {
    if (code > 128 && code < 128 + 65) {
      int signal = code - 128;
      String name = switch (signal) {
        case 1 -> "HUP";
        case 2 -> "INT";
        case 6 -> "ABRT";
        case 9 -> "KILL";
        case 11 -> "SEGV";
        case 15 -> "TERM";
        default -> null;
      };
      return code + " (signal " + signal + (name == null ? "" : ", " + name) + ")";
    }
    return Integer.toString(code);
  }
}
