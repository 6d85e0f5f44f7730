package io.jvmm.operator.scheduling;

import java.util.Map;

/** The scheduler's answer: a node, or one reason per node why none fits. */
public sealed interface Placement {

    record OnNode(String node) implements Placement {}

    record Unschedulable(Map<String, String> reasonByNode) implements Placement {
        public Unschedulable {
            reasonByNode = Map.copyOf(reasonByNode);
        }

        /** One line for a condition message, nodes in name order. */
        public String message() {
            if (reasonByNode.isEmpty()) {
                return "no node runs a jvmm node agent";
            }
            StringBuilder text = new StringBuilder("no node fits: ");
            reasonByNode.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                    text.append(e.getKey()).append(": ").append(e.getValue()).append("; "));
            return text.substring(0, text.length() - 2);
        }
    }
}
