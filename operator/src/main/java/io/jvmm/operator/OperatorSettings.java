package io.jvmm.operator;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's settings, from the environment (the Deployment sets them):
 * JVMM_AGENT_NAMESPACE, where node agents keep their heartbeat Leases (default jvmm-system);
 * JVMM_ALLOWED_ROOTS, comma-separated node directories that a VM's paths must lie in
 * (default /var/lib/jvmm); JVMM_LEADER_ELECTION_NAMESPACE, where replicas elect a leader
 * (leader election is off when unset, for a single local process); JVMM_HEALTH_PORT (8080).
 */
public record OperatorSettings(String agentNamespace, List<String> allowedRoots, Optional<String> leaderElectionNamespace,
                               int healthPort) {

    public static OperatorSettings fromEnvironment(Map<String, String> env) {
        String roots = env.getOrDefault("JVMM_ALLOWED_ROOTS", "/var/lib/jvmm");
        return new OperatorSettings(
                env.getOrDefault("JVMM_AGENT_NAMESPACE", "jvmm-system"),
                Arrays.stream(roots.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList(),
                Optional.ofNullable(env.get("JVMM_LEADER_ELECTION_NAMESPACE")).filter(s -> !s.isBlank()),
                Integer.parseInt(env.getOrDefault("JVMM_HEALTH_PORT", "8080")));
    }
}
