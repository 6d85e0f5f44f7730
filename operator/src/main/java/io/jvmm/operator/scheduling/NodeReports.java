package io.jvmm.operator.scheduling;

import io.fabric8.kubernetes.api.model.Node;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;

/** Reads a {@link NodeReport} from a Node object and its agent's heartbeat Lease. */
public final class NodeReports {
    /** The agent renews every 10 s; four missed renewals mean it is gone, as the kubelet's 40 s. */
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(40);

    private NodeReports() {}

    public static NodeReport of(Node node, Optional<Lease> heartbeat) {
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        Map<String, String> annotations = node.getMetadata().getAnnotations() == null ? Map.of() : node.getMetadata().getAnnotations();
        Optional<Instant> renewed = heartbeat.map(lease -> lease.getSpec())
                .map(spec -> spec.getRenewTime() != null ? spec.getRenewTime() : spec.getAcquireTime())
                .map(ZonedDateTime::toInstant);
        Duration timeout = heartbeat.map(Lease::getSpec)
                .map(spec -> spec.getLeaseDurationSeconds())
                .map(seconds -> Duration.ofSeconds(seconds))
                .orElse(DEFAULT_HEARTBEAT_TIMEOUT);
        return new NodeReport(node.getMetadata().getName(),
                labels.getOrDefault(NodeContract.ARCH_LABEL, "unknown"),
                "true".equals(labels.get(NodeContract.KVM_LABEL)),
                (int) number(annotations.get(NodeContract.ALLOCATABLE_VCPUS_ANNOTATION)),
                number(annotations.get(NodeContract.ALLOCATABLE_MEMORY_ANNOTATION)),
                labels, renewed, timeout);
    }

    /** An absent or garbled figure counts as nothing on offer: the node is refused for room. */
    private static long number(String text) {
        if (text == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(text.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
