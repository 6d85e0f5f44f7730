package io.jvmm.agent.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which fields of a VM's spec changed since its VMM started and need a new VMM: all but the
 * run state, the restart and update policies and the placement, which act on a
 * running VM at once. A field is named down to its second level (spec.devices.disks,
 * spec.os.kernel), the unit in which a user thinks of a change.
 */
public final class SpecChanges {
  /** What the agent or the operator carries out without a new VMM. */
  private static final Set<String> LIVE = Set.of("runState", "restartPolicy", "updatePolicy", "nodeName", "nodeSelector");

  private SpecChanges() {}

  /** The changed fields, sorted, as spec.X or spec.X.Y; empty when the running VMM is what the spec asks. */
  public static List<String> needingRestart(JsonNode started, JsonNode now) {
    Set<String> changed = new TreeSet<>();
    for (String field : names(started, now)) {
      if (LIVE.contains(field)) {
        continue;
      }
      JsonNode a = started == null ? null : started.get(field);
      JsonNode b = now == null ? null : now.get(field);
      if (same(a, b)) {
        continue;
      }
      if (a != null && b != null && a.isObject() && b.isObject()) {
        for (String inner : names(a, b)) {
          if (!same(a.get(inner), b.get(inner))) {
            changed.add("spec." + field + "." + inner);
          }
        }
      } else {
        changed.add("spec." + field);
      }
    }
    return new ArrayList<>(changed);
  }

  private static boolean same(JsonNode a, JsonNode b) {
    boolean aAbsent = a == null || a.isNull(), bAbsent = b == null || b.isNull();
    return aAbsent || bAbsent ? aAbsent && bAbsent : a.equals(b);
  }

  private static Set<String> names(JsonNode a, JsonNode b) {
    Set<String> names = new TreeSet<>();
    for (JsonNode n : new JsonNode[] {a, b}) {
      if (n != null && n.isObject()) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
          names.add(it.next());
        }
      }
    }
    return names;
  }
}
