package io.jvmm.operator;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.jvmm.cluster.KubeControlPlane;
import io.jvmm.testkit.ProjectRoot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

/**
 * The operator as a local process against the test control plane, as its Deployment runs it:
 * deploy/rbac/operator.yaml applied (namespace jvmm-system, where agents keep their Leases),
 * and the operator acting as that service account (impersonation), so that a test that passes
 * also proves the RBAC suffices. Leader election on, in jvmm-system.
 */
public final class OperatorInCluster implements AutoCloseable {
    /** Where the RBAC puts the operator's account and where node agents keep their Leases. */
    public static final String SYSTEM_NAMESPACE = "jvmm-system";
    private static final String ACCOUNT = "system:serviceaccount:" + SYSTEM_NAMESPACE + ":jvmm-operator";

    private final KubernetesClient client;
    private final Operator operator;

    private OperatorInCluster(KubernetesClient client, Operator operator) {
        this.client = client;
        this.operator = operator;
    }

    /**
     * Applies the operator's RBAC and starts it; VM files must lie under {@code allowedRoots}
     * (the operator validates node paths as the agents do).
     */
    public static OperatorInCluster start(KubeControlPlane plane, List<String> allowedRoots) throws IOException {
        return start(plane, allowedRoots, List.of());
    }

    /** As {@link #start(KubeControlPlane, List)}, with these emulators allowed besides jvmm. */
    public static OperatorInCluster start(KubeControlPlane plane, List<String> allowedRoots, List<String> allowedEmulators)
            throws IOException {
        try (KubernetesClient admin = plane.newClient("default")) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(SYSTEM_NAMESPACE)
                    .endMetadata().build()).serverSideApply();
            try (InputStream rbac = Files.newInputStream(ProjectRoot.path().resolve("deploy/rbac/operator.yaml"))) {
                admin.load(rbac).serverSideApply();
            }
        }
        Config config = Config.fromKubeconfig(Files.readString(plane.adminKubeconfig()));
        config.setImpersonateUsername(ACCOUNT);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        Operator operator = JvmmOperator.create(client,
                new OperatorSettings(SYSTEM_NAMESPACE, allowedRoots, allowedEmulators, Optional.of(SYSTEM_NAMESPACE), 0), () -> { });
        operator.start();
        return new OperatorInCluster(client, operator);
    }

    @Override
    public void close() {
        operator.stop();
        client.close();
    }
}
