package io.jvmm.agent.reconcile;

import java.time.Instant;
import java.util.List;

/**
 * What the agent knows of a VM's VMM at one moment, and what it did before that matters now.
 *
 * @param process          no VMM, a live VMM, or one that ended and was not started again
 * @param qmpStatus        query-status of a live VMM; null before QMP answers
 * @param exitCode         exit status of an ended VMM; null when unknown
 * @param exitedAt         when it ended
 * @param exitRequested    the agent asked it to end (quit or system_powerdown)
 * @param exitGeneration   the spec generation in force when it ended
 * @param powerdownSentAt  when system_powerdown was sent to the live VMM; null if it was not
 * @param recentFailures   ends in a row that were restarted without a long run between
 * @param startRefused     the last start never ran a VMM: the VM is invalid for this node
 * @param unresponsive     a live VMM that answered QMP before, or was adopted, and does not now
 * @param specDrift        spec fields changed since the live VMM started that only a new VMM applies
 * @param restartAsked     kubectl vm restart asked for a new VMM after the live one started
 */
public record VmmObservation(Process process, String qmpStatus, Integer exitCode, Instant exitedAt,
    boolean exitRequested, long exitGeneration, Instant powerdownSentAt, int recentFailures, boolean startRefused,
    boolean unresponsive, List<String> specDrift, boolean restartAsked) {

  public VmmObservation {
    specDrift = List.copyOf(specDrift);
  }

  public enum Process { NONE, RUNNING, EXITED }

  public static VmmObservation none() {
    return new VmmObservation(Process.NONE, null, null, null, false, 0, null, 0, false, false, List.of(), false);
  }

  public static VmmObservation running(String qmpStatus) {
    return new VmmObservation(Process.RUNNING, qmpStatus, null, null, false, 0, null, 0, false, false, List.of(), false);
  }

  /** A live VMM that should answer QMP and does not (stopped, hung). */
  public static VmmObservation silent() {
    return new VmmObservation(Process.RUNNING, null, null, null, false, 0, null, 0, false, true, List.of(), false);
  }

  public static VmmObservation exited(Integer code, Instant at, boolean requested, long generation, int failures) {
    return new VmmObservation(Process.EXITED, null, code, at, requested, generation, null, failures, false, false, List.of(), false);
  }

  public VmmObservation withPowerdownSentAt(Instant at) {
    return new VmmObservation(process, qmpStatus, exitCode, exitedAt, exitRequested, exitGeneration, at,
        recentFailures, startRefused, unresponsive, specDrift, restartAsked);
  }

  /** With what changed since the live VMM started, and whether a restart was asked for since. */
  public VmmObservation withSpecDrift(List<String> drift, boolean asked) {
    return new VmmObservation(process, qmpStatus, exitCode, exitedAt, exitRequested, exitGeneration, powerdownSentAt,
        recentFailures, startRefused, unresponsive, drift, asked);
  }

  /** The agent would not start this generation of the VM: it cannot run on this node. */
  public static VmmObservation refused(Instant at, long generation) {
    return new VmmObservation(Process.EXITED, null, null, at, false, generation, null, 0, true, false, List.of(), false);
  }
}
