package io.jvmm.agent;

import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which events a change of status.agent makes (plain logic, no I/O): one per transition of the
 * VMM, judged from the last report this agent made and the new one.
 *
 * <ul>
 *   <li>a new VMM pid: Started, Restarted (the restart count grew: the policy brought it back) or
 *       Adopted (a VMM an earlier agent started, taken over without touching the guest);
 *   <li>Failed (Warning) when the VMM ended abnormally, with its exit status;
 *   <li>Stopped when a VMM that ran is no more and was not failed;
 *   <li>Paused and Resumed as the guest's vCPUs stop and go on.
 * </ul>
 * A new agent's first report has no predecessor: it adopts or starts, and an already settled
 * state (Stopped) makes no event, so an agent restart does not repeat history.
 */
public final class VmTransitions {
  private VmTransitions() {
  }

  /**
   * @param before  what this agent reported last, null before its first report of the VM
   * @param after   what it reports now
   * @param adopted whether the VMM now reported was adopted rather than started by this agent
   */
  public static List<VmEvent> between(AgentStatus before, AgentStatus after, boolean adopted) {
    List<VmEvent> events = new ArrayList<>();
    VmmState was = before == null ? null : before.state;
    Long oldPid = before == null ? null : before.pid;
    String node = after.nodeName;
    if (after.pid != null && !after.pid.equals(oldPid)) {
      if (adopted) {
        events.add(new VmEvent(false, "Adopted", "re-adopted the running VMM pid " + after.pid + " on node " + node
            + " after an agent restart; the guest kept running"));
      } else if (before != null && after.restarts != null && after.restarts > orZero(before.restarts)) {
        events.add(new VmEvent(true, "Restarted", "VMM restarted as pid " + after.pid + " on node " + node
            + " (restart " + after.restarts + ", as spec.restartPolicy says)"));
      } else {
        events.add(new VmEvent(false, "Started", "VMM started as pid " + after.pid + " on node " + node));
      }
    }
    if (after.state == VmmState.FAILED && was != VmmState.FAILED) {
      events.add(new VmEvent(true, "Failed", "the VMM failed on node " + node
          + (after.exitCode == null ? "" : " with exit status " + after.exitCode)
          + (after.message == null ? "" : ": " + after.message)));
    }
    if (after.state == VmmState.STOPPED && was != null && was != VmmState.STOPPED && was != VmmState.ABSENT) {
      events.add(new VmEvent(false, "Stopped", "the VMM on node " + node + " ended"
          + (after.exitCode == null ? "" : " with exit status " + after.exitCode)));
    }
    if (after.state == VmmState.PAUSED && was == VmmState.RUNNING && Objects.equals(after.pid, oldPid)) {
      events.add(new VmEvent(false, "Paused", "the guest's vCPUs are stopped (QMP stop)"));
    }
    if (after.state == VmmState.RUNNING && was == VmmState.PAUSED && Objects.equals(after.pid, oldPid)) {
      events.add(new VmEvent(false, "Resumed", "the guest's vCPUs run again (QMP cont)"));
    }
    return events;
  }

  private static int orZero(Integer n) {
    return n == null ? 0 : n;
  }
}
