package io.jvmm.operator.reconcile;

import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.UpdatePolicy;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus;
import io.jvmm.domain.NodePathPolicy;
import io.jvmm.domain.Problem;
import io.jvmm.domain.VirtualMachineValidator;
import io.jvmm.operator.scheduling.NodeReport;
import io.jvmm.operator.scheduling.Placement;
import io.jvmm.operator.scheduling.VmScheduler;
import io.jvmm.operator.status.VmObservation;
import io.jvmm.operator.status.VmStatusBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The operator's reasoning about one VM, free of any client: observe (placement, node health,
 * the agent's report), validate, decide placement, build status.  Its caller applies the result.
 * <p>Placement rules: a VM keeps its node while that node's agent lives.  When the agent stops
 * heartbeating or the node is deleted, the VM is NodeLost; restartPolicy Always or OnFailure
 * then place it anew (the lost node is not a candidate, as its agent is silent), Never leaves it
 * Failed there.  A VM whose runState is Stopped is not placed at all until it is started.
 */
public final class VmReconciliation {
    /** Without events, a Pending VM is tried again this often, and placed VMs checked for node loss. */
    static final Duration PENDING_RECHECK = Duration.ofSeconds(10);
    static final Duration PLACED_RECHECK = Duration.ofSeconds(30);
    static final Duration DELETION_RECHECK = Duration.ofSeconds(2);

    private final VmScheduler scheduler = new VmScheduler();
    private final VmStatusBuilder statusBuilder = new VmStatusBuilder();
    private final NodePathPolicy nodePaths;

    public VmReconciliation(NodePathPolicy nodePaths) {
        this.nodePaths = nodePaths;
    }

    public VmDecision reconcile(VirtualMachine vm, ClusterView cluster) {
        List<String> problems = VirtualMachineValidator.validate(vm, nodePaths).stream().map(Problem::toString).toList();
        Optional<String> node = currentNode(vm);
        boolean lost = node.isPresent() && !alive(node.get(), cluster);
        RunState runState = runState(vm);
        Optional<String> unschedulable = Optional.empty();

        if (problems.isEmpty() && !deleting(vm)) {
            if (lost && restartPolicy(vm) != RestartPolicy.NEVER && runState != RunState.STOPPED) {
                node = Optional.empty();
                lost = false;
            }
            if (node.isEmpty() && runState != RunState.STOPPED) {
                Placement placement = scheduler.place(VmDemands.of(vm), cluster.nodes(),
                        cluster.usageExcluding(namespace(vm), vm.getMetadata().getName()), cluster.now());
                if (placement instanceof Placement.OnNode on) {
                    node = Optional.of(on.node());
                } else {
                    unschedulable = Optional.of(((Placement.Unschedulable) placement).message());
                }
            }
        }
        VmObservation observation = new VmObservation(generation(vm), runState, deleting(vm), problems, node,
                unschedulable, lost, agent(vm), updatePolicy(vm), restartPolicy(vm));
        VirtualMachineStatus status = statusBuilder.build(observation, previousConditions(vm), cluster.now());
        boolean release = deleting(vm) && mayRelease(node, lost, agent(vm));
        Duration recheck = deleting(vm) ? DELETION_RECHECK : node.isEmpty() ? PENDING_RECHECK : PLACED_RECHECK;
        return new VmDecision(node, status, release, recheck);
    }

    /**
     * The finalizer goes once nothing can be running: the VM was never placed, its node is lost
     * (nobody is left to ask), or its agent reported the VMM gone.
     */
    private static boolean mayRelease(Optional<String> node, boolean lost, Optional<AgentStatus> agent) {
        if (node.isEmpty() || lost) {
            return true;
        }
        return agent.filter(a -> node.get().equals(a.nodeName)).map(a -> a.state == VmmState.ABSENT).orElse(false);
    }

    private static boolean alive(String node, ClusterView cluster) {
        return cluster.nodes().stream().filter(n -> n.name().equals(node)).findFirst()
                .map(n -> n.agentAlive(cluster.now())).orElse(false);
    }

    /** The node the VM is placed on: status.nodeName, which the VM's node label mirrors. */
    static Optional<String> currentNode(VirtualMachine vm) {
        return Optional.ofNullable(vm.getStatus()).map(s -> s.nodeName).filter(n -> !n.isEmpty());
    }

    private static RunState runState(VirtualMachine vm) {
        return vm.getSpec() == null || vm.getSpec().runState == null ? RunState.RUNNING : vm.getSpec().runState;
    }

    private static UpdatePolicy updatePolicy(VirtualMachine vm) {
        return vm.getSpec() == null || vm.getSpec().updatePolicy == null ? UpdatePolicy.MANUAL : vm.getSpec().updatePolicy;
    }

    private static RestartPolicy restartPolicy(VirtualMachine vm) {
        return vm.getSpec().restartPolicy == null ? RestartPolicy.ALWAYS : vm.getSpec().restartPolicy;
    }

    private static boolean deleting(VirtualMachine vm) {
        return vm.getMetadata().getDeletionTimestamp() != null;
    }

    private static long generation(VirtualMachine vm) {
        return vm.getMetadata().getGeneration() == null ? 0 : vm.getMetadata().getGeneration();
    }

    private static String namespace(VirtualMachine vm) {
        return vm.getMetadata().getNamespace();
    }

    private static Optional<AgentStatus> agent(VirtualMachine vm) {
        return Optional.ofNullable(vm.getStatus()).map(s -> s.agent);
    }

    private static List<io.fabric8.kubernetes.api.model.Condition> previousConditions(VirtualMachine vm) {
        return vm.getStatus() == null || vm.getStatus().conditions == null ? List.of() : vm.getStatus().conditions;
    }
}
