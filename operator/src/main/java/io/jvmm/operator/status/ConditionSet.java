package io.jvmm.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Conditions in metav1.Condition form.  lastTransitionTime moves only when a condition's status
 * changes (API conventions), so it is carried over from the previous status otherwise.
 */
final class ConditionSet {
    private final List<Condition> previous;
    private final long generation;
    private final String now;
    private final List<Condition> conditions = new ArrayList<>();

    ConditionSet(List<Condition> previous, long generation, Instant now) {
        this.previous = previous == null ? List.of() : previous;
        this.generation = generation;
        this.now = now.toString();
    }

    ConditionSet set(String type, boolean status, String reason, String message) {
        String value = status ? "True" : "False";
        String since = previous.stream()
                .filter(c -> type.equals(c.getType()) && value.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .filter(Objects::nonNull)
                .findFirst().orElse(now);
        conditions.add(new ConditionBuilder().withType(type).withStatus(value).withReason(reason)
                .withMessage(message).withObservedGeneration(generation).withLastTransitionTime(since).build());
        return this;
    }

    List<Condition> build() {
        return List.copyOf(conditions);
    }
}
