package io.jvmm.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.jvmm.domain.NodePathPolicy;
import io.jvmm.operator.reconcile.VirtualMachineReconciler;
import io.jvmm.operator.reconcile.VmReconciliation;
import java.time.Clock;

/** Wires the VirtualMachine reconciler into a java-operator-sdk Operator. */
public final class JvmmOperator {
    /** Name of the Lease that replicas of the operator compete for. */
    public static final String LEADER_LEASE = "jvmm-operator";

    private JvmmOperator() {}

    /**
     * @param exitOnLostLeadership whether losing the leader Lease ends the JVM: right for the
     *     operator process, whose Deployment starts it again as a follower, wrong when embedded
     */
    public static Operator create(KubernetesClient client, OperatorSettings settings, boolean exitOnLostLeadership) {
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client).checkingCRDAndValidateLocalModel(false).withCloseClientOnStop(false);
            settings.leaderElectionNamespace().ifPresent(ns -> o.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEADER_LEASE)
                            .withLeaseNamespace(ns).withExitOnStopLeading(exitOnLostLeadership).build()));
        });
        VmReconciliation logic = new VmReconciliation(NodePathPolicy.allowing(settings.allowedRoots()));
        operator.register(new VirtualMachineReconciler(logic, settings.agentNamespace(), Clock.systemUTC()));
        return operator;
    }
}
