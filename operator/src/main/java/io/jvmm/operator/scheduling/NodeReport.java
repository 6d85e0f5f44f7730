package io.jvmm.operator.scheduling;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A node as its agent reports it.  {@code lastHeartbeat} is empty where no Lease exists; a
 * heartbeat older than {@code heartbeatTimeout} means the agent is gone.
 */
public record NodeReport(String name, String arch, boolean kvm, int allocatableVcpus, long allocatableMemoryBytes,
                         Map<String, String> labels, Optional<Instant> lastHeartbeat, Duration heartbeatTimeout) {

    public NodeReport {
        labels = Map.copyOf(labels);
    }

    public boolean agentAlive(Instant now) {
        return lastHeartbeat.map(beat -> !beat.plus(heartbeatTimeout).isBefore(now)).orElse(false);
    }
}
