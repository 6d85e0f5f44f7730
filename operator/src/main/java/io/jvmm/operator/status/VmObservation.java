package io.jvmm.operator.status;

import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.UpdatePolicy;
import java.util.List;
import java.util.Optional;

/**
 * Everything the operator knows of one VM at one reconcile, gathered before any decision:
 * the spec's wishes, what validation found, where the VM is placed (or why nowhere), whether
 * that node's agent lives, and what the agent last reported.
 */
public record VmObservation(
        long generation,
        RunState runState,
        boolean deleting,
        List<String> problems,
        Optional<String> node,
        Optional<String> unschedulableMessage,
        boolean nodeLost,
        Optional<AgentStatus> agent,
        UpdatePolicy updatePolicy,
        RestartPolicy restartPolicy) {

    public VmObservation {
        problems = List.copyOf(problems);
    }

    /**
     * A VM with the defaults: spec changes wait for kubectl vm restart (spec.updatePolicy
     * Manual), and an ended VMM is started again (spec.restartPolicy Always).
     */
    public VmObservation(long generation, RunState runState, boolean deleting, List<String> problems, Optional<String> node,
                         Optional<String> unschedulableMessage, boolean nodeLost, Optional<AgentStatus> agent) {
        this(generation, runState, deleting, problems, node, unschedulableMessage, nodeLost, agent, UpdatePolicy.MANUAL,
                RestartPolicy.ALWAYS);
    }

    /** The agent's report, when it is about this VM on its current node and about the current spec. */
    public Optional<AgentStatus> currentAgentReport() {
        return agentReportOnNode().filter(a -> a.observedGeneration == null || a.observedGeneration >= generation);
    }

    /**
     * The agent's report about this VM on its current node, whatever generation it answers: a
     * report from before the latest spec change still says what runs there.
     */
    public Optional<AgentStatus> agentReportOnNode() {
        return agent.filter(a -> node.isPresent() && node.get().equals(a.nodeName));
    }
}
