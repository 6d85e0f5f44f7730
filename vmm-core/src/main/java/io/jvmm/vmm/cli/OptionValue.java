package io.jvmm.vmm.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * QEMU's option value syntax: "[implied-value,]key=value,key,..." with ",," for a literal comma.
 * A bare word after the first is a boolean key ("server", "nowait" = "wait=off" in QEMU's
 * legacy form).
 */
final class OptionValue {
    private final String option;
    private final String implied;
    private final Map<String, String> properties;

    private OptionValue(String option, String implied, Map<String, String> properties) {
        this.option = option;
        this.implied = implied;
        this.properties = properties;
    }

    /** {@code impliedKey}: the key a leading bare word stands for ("type" for -machine), or null for none. */
    static OptionValue parse(String option, String text, String impliedKey) throws OptionException {
        List<String> parts = splitCommas(text);
        String implied = null;
        Map<String, String> props = new LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            int eq = p.indexOf('=');
            if (eq < 0 && i == 0 && impliedKey != null) {
                implied = p;
                continue;
            }
            String key = eq < 0 ? p : p.substring(0, eq);
            String value = eq < 0 ? "on" : p.substring(eq + 1);
            if (key.isEmpty()) {
                throw new OptionException(option, "empty property name in '" + text + "'");
            }
            if (eq < 0 && key.startsWith("no") && key.length() > 2) {
                // QEMU's legacy boolean form: "nowait" means "wait=off".
                key = key.substring(2);
                value = "off";
            }
            if (props.put(key, value) != null) {
                throw new OptionException(option, "property '" + key + "' given twice");
            }
        }
        if (impliedKey != null && props.containsKey(impliedKey)) {
            if (implied != null) {
                throw new OptionException(option, "'" + impliedKey + "' given twice");
            }
            implied = props.remove(impliedKey);
        }
        return new OptionValue(option, implied, props);
    }

    private static List<String> splitCommas(String text) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ',' && i + 1 < text.length() && text.charAt(i + 1) == ',') {
                cur.append(',');
                i++;
            } else if (c == ',') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    String implied() {
        return implied;
    }

    /** Removes and returns a property, or null if absent. */
    String take(String key) {
        return properties.remove(key);
    }

    boolean takeBoolean(String key, boolean absent) throws OptionException {
        String v = take(key);
        if (v == null) {
            return absent;
        }
        return switch (v) {
            case "on", "yes", "true", "y" -> true;
            case "off", "no", "false", "n" -> false;
            default -> throw new OptionException(option, "'" + key + "' must be on or off, not '" + v + "'");
        };
    }

    /** Fails if a property nobody took is left: it is one jvmm does not know. */
    void requireAllTaken() throws OptionException {
        if (!properties.isEmpty()) {
            String key = properties.keySet().iterator().next();
            throw new OptionException(option, "unsupported property '" + key + "'");
        }
    }
}
