package io.jvmm.agent;

/**
 * A Kubernetes Event the agent records on a VM for a transition of its VMM, for
 * {@code kubectl describe vm} and event-driven tooling.
 *
 * @param warning whether it is a Warning (something went wrong) rather than Normal
 * @param reason  UpperCamelCase, what happened: Started, Failed, Restarted, Adopted, Stopped...
 * @param message for people: which process, which node, why
 */
public record VmEvent(boolean warning, String reason, String message) {
}
