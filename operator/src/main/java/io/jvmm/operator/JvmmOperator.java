package io.jvmm.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
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
     * @param onLostLeadership what losing the leader Lease does: the operator process ends, so that
     *     its Deployment starts it again as a follower, unless it is shutting down anyway (the
     *     Lease is given up then, and System.exit from a shutdown hook would hang the JVM); an
     *     embedded operator does nothing
     */
    public static Operator create(KubernetesClient client, OperatorSettings settings, Runnable onLostLeadership) {
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client).checkingCRDAndValidateLocalModel(false).withCloseClientOnStop(false);
            settings.leaderElectionNamespace().ifPresent(ns -> o.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEADER_LEASE)
                            .withLeaseNamespace(ns).withExitOnStopLeading(false)
                            .withLeaderCallbacks(new LeaderCallbacks(() -> { }, onLostLeadership, leader -> { }))
                            .build()));
        });
        VmReconciliation logic = new VmReconciliation(NodePathPolicy.allowing(settings.allowedRoots())
                .allowingEmulators(settings.allowedEmulators()));
        operator.register(new VirtualMachineReconciler(logic, settings.agentNamespace(), Clock.systemUTC()));
        return operator;
    }
}
