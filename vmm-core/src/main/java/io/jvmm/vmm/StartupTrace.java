package io.jvmm.vmm;

import java.lang.management.ManagementFactory;

/**
 * JVMM_TIMING=1 prints, on stderr, when each startup phase ends, in milliseconds since the JVM
 * started: for finding where boot time goes (the benchmark compares jvmm with QEMU).
 */
public final class StartupTrace {
    private static final boolean ENABLED = System.getenv("JVMM_TIMING") != null;

    private StartupTrace() {}

    public static void mark(String phase) {
        if (ENABLED) {
            long sinceStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            System.err.println("jvmm-timing: " + sinceStart + " ms " + phase);
        }
    }
}
