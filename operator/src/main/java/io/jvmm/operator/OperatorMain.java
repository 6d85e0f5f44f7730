package io.jvmm.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.jvmm.crds.health.HealthEndpoints;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The operator process: reads its kubeconfig or in-cluster account as kubectl does, runs the
 * reconciler, and answers /healthz (the process lives) and /readyz (its informers have synced)
 * for the Deployment's probes.
 */
public final class OperatorMain {
    private OperatorMain() {}

    public static void main(String[] args) throws IOException {
        OperatorSettings settings = OperatorSettings.fromEnvironment(System.getenv());
        KubernetesClient client = new KubernetesClientBuilder().build();
        AtomicBoolean stopping = new AtomicBoolean();
        Operator operator = JvmmOperator.create(client, settings, () -> {
            if (!stopping.get()) {
                System.err.println("jvmm-operator: lost the leader Lease; exiting to start again as a follower");
                System.exit(1);
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            operator.stop();
        }, "operator-shutdown"));
        serveHealth(settings.healthPort(), operator);
        operator.start();
    }

    private static void serveHealth(int port, Operator operator) throws IOException {
        HealthEndpoints.serve(new InetSocketAddress(port), () -> true,
            () -> operator.getRuntimeInfo().allEventSourcesAreHealthy());
    }
}
