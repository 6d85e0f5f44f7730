package io.jvmm.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the test guest's /init said on its console (guest/init): the start and ready markers and
 * the facts block of key=value lines.  Keys may repeat (one pci= line per device).
 */
public final class GuestReport {
    public static final String START = "JVMM-GUEST-START";
    public static final String READY = "JVMM-GUEST-READY";
    private static final String FACTS_BEGIN = "JVMM-GUEST-FACTS-BEGIN";
    private static final String FACTS_END = "JVMM-GUEST-FACTS-END";
    private static final Pattern FACT = Pattern.compile("^([a-z_]+)=(.*)$");

    private final boolean started;
    private final boolean ready;
    private final Map<String, List<String>> facts;

    private GuestReport(boolean started, boolean ready, Map<String, List<String>> facts) {
        this.started = started;
        this.ready = ready;
        this.facts = facts;
    }

    public static GuestReport parse(String console) {
        boolean started = false;
        boolean ready = false;
        boolean inFacts = false;
        Map<String, List<String>> facts = new LinkedHashMap<>();
        for (String raw : console.split("\r?\n")) {
            // A line may carry terminal escapes or a kernel message glued to its front.
            String line = raw.replaceAll("\u001b\\[[0-9;?]*[a-zA-Z]", "").strip();
            if (line.endsWith(START)) {
                started = true;
            } else if (line.endsWith(FACTS_BEGIN)) {
                inFacts = true;
            } else if (line.endsWith(FACTS_END)) {
                inFacts = false;
            } else if (line.endsWith(READY)) {
                ready = true;
            } else if (inFacts) {
                Matcher m = FACT.matcher(line);
                if (m.matches()) {
                    facts.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
                }
            }
        }
        return new GuestReport(started, ready, facts);
    }

    public boolean started() {
        return started;
    }

    public boolean ready() {
        return ready;
    }

    public List<String> all(String key) {
        return facts.getOrDefault(key, List.of());
    }

    public Optional<String> fact(String key) {
        List<String> values = all(key);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    public int cpusOnline() {
        return Integer.parseInt(fact("cpus_online").orElseThrow(() -> new AssertionError("the guest reported no cpus_online")));
    }

    public long memTotalKiB() {
        return Long.parseLong(fact("memtotal_kb").orElseThrow(() -> new AssertionError("the guest reported no memtotal_kb")));
    }

    @Override
    public String toString() {
        return "GuestReport{started=" + started + ", ready=" + ready + ", facts=" + facts + "}";
    }
}
