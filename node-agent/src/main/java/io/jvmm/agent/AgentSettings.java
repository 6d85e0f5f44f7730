package io.jvmm.agent;

import io.jvmm.agent.reconcile.RestartBackoff;
import io.jvmm.agent.vmm.VmmDetachment;
import io.jvmm.agent.vmm.VmmPrivileges;
import io.jvmm.domain.NodePathPolicy;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How this agent runs VMs.
 *
 * @param nodeName     the node whose VMs it runs, written into status.agent.nodeName
 * @param stateRoot    the VMs' state directories live under it, one per namespace/name
 * @param vmmProgram   what runs a VM whose spec names no emulator (the node's bin/jvmm)
 * @param nodePaths    where a VM may name files on the node
 * @param stopGrace    how long a guest has to power down before the VMM is quit
 * @param backoff      delays between restarts of a VMM that keeps ending
 * @param resync       how often every VM is looked at without an event (QMP status, timers)
 * @param scrollBack   bytes of console output kept per VM for viewers who attach late
 * @param detachment   how VMMs are set apart to outlive the agent: a session, or a systemd scope
 *                     too (in a pod, so that a container restart spares them)
 * @param privileges   how a root agent drops each VMM to a user of its own; null for an agent
 *                     that is not root (its VMMs run as itself)
 */
public record AgentSettings(String nodeName, Path stateRoot, String vmmProgram, NodePathPolicy nodePaths,
    Duration stopGrace, RestartBackoff backoff, Duration resync, int scrollBack, VmmDetachment detachment,
    VmmPrivileges privileges) {

  /**
   * VMMs in sessions of their own (setsid), for an agent that is a plain process; each VMM as a
   * user of its own when the agent is root.
   */
  public AgentSettings(String nodeName, Path stateRoot, String vmmProgram, NodePathPolicy nodePaths,
      Duration stopGrace, RestartBackoff backoff, Duration resync, int scrollBack) {
    this(nodeName, stateRoot, vmmProgram, nodePaths, stopGrace, backoff, resync, scrollBack, VmmDetachment.SESSION,
        VmmPrivileges.forThisAgent(stateRoot));
  }
}
