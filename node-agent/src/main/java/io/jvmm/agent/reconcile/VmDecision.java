package io.jvmm.agent.reconcile;

import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import java.time.Instant;

/**
 * The reconciler's answer: one action, the state to report in status.agent, a message for
 * people, and when to look again if nothing else happens (null: on the next event).
 */
public record VmDecision(VmAction action, VmmState state, String message, Instant retryAt) {
}
