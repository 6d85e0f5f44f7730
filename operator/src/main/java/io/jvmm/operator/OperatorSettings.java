package io.jvmm.operator;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's settings, from the environment (the Deployment sets them):
 * JVMM_AGENT_NAMESPACE, where node agents keep their heartbeat Leases (default jvmm-system);
 * JVMM_ALLOWED_ROOTS, comma-separated node directories that a VM's paths must lie in
 * (default /var/lib/jvmm); JVMM_ALLOWED_EMULATORS, comma-separated programs a VM may name as
 * spec.emulator besides the nodes' jvmm (default none; each node agent checks its own list again);
 * JVMM_LEADER_ELECTION_NAMESPACE, where replicas elect a leader
 * (leader election is off when unset, for a single local process); JVMM_HEALTH_PORT (8080).
 */
public record OperatorSettings(String agentNamespace, List<String> allowedRoots, List<String> allowedEmulators,
                               Optional<String> leaderElectionNamespace, int healthPort) {

    public static OperatorSettings fromEnvironment(Map<String, String> env) {
        String roots = env.getOrDefault("JVMM_ALLOWED_ROOTS", "/var/lib/jvmm");
        return new OperatorSettings(
                env.getOrDefault("JVMM_AGENT_NAMESPACE", "jvmm-system"),
                list(roots),
                list(env.getOrDefault("JVMM_ALLOWED_EMULATORS", "")),
                Optional.ofNullable(env.get("JVMM_LEADER_ELECTION_NAMESPACE")).filter(s -> !s.isBlank()),
                Integer.parseInt(env.getOrDefault("JVMM_HEALTH_PORT", "8080")));
    }

    private static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
