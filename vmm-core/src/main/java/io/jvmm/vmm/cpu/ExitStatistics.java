package io.jvmm.vmm.cpu;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * JVMM_TRACE_EXITS=1 counts vCPU exits by kind and port or address and prints the most frequent
 * on stderr when the machine stops: every exit costs a round trip through the host, so their
 * number is what boot time depends on.
 */
final class ExitStatistics {
    static final boolean ENABLED = System.getenv("JVMM_TRACE_EXITS") != null;
    private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

    private ExitStatistics() {}

    static void count(String kind, long where) {
        COUNTS.computeIfAbsent(kind + " 0x" + Long.toHexString(where), k -> new LongAdder()).increment();
    }

    static void print() {
        if (!ENABLED) {
            return;
        }
        TreeMap<Long, String> top = new TreeMap<>();
        long total = 0;
        for (Map.Entry<String, LongAdder> e : COUNTS.entrySet()) {
            long n = e.getValue().sum();
            total += n;
            top.merge(n, e.getKey(), (a, b) -> a + ", " + b);
        }
        System.err.println("jvmm-exits: " + total + " in all");
        top.descendingMap().entrySet().stream().limit(15)
                .forEach(e -> System.err.println("jvmm-exits: " + e.getKey() + " " + e.getValue()));
    }
}
