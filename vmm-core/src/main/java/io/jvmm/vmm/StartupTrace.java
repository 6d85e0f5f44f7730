package io.jvmm.vmm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JVMM_TIMING=1 prints, on stderr, when each startup phase ends, in milliseconds since the
 * process started: for finding where boot time goes (the benchmark compares jvmm with QEMU).
 *
 * <p>The origin is the process's own start as the kernel recorded it, so that the launcher
 * script and the JVM's creation count as they do for the benchmark. (The JVM's start time, from
 * the management API, is taken only once the JVM is initialised, and the management classes it
 * takes, outside the class-data archive, cost the first mark noticeably.)
 */
public final class StartupTrace {
    private static final boolean ENABLED = System.getenv("JVMM_TIMING") != null;
    /** Linux's USER_HZ, the unit of a process's start time in /proc: fixed at 100 on x86. */
    private static final long NANOS_PER_CLOCK_TICK = 10_000_000L;
    private static long processStartNanos;
    private static boolean originKnown;

    private StartupTrace() {}

    public static boolean enabled() {
        return ENABLED;
    }

    public static synchronized void mark(String phase) {
        if (!ENABLED) {
            return;
        }
        long now = System.nanoTime();
        if (!originKnown) {
            processStartNanos = now - nanosSinceProcessStart();
            originKnown = true;
        }
        System.err.println("jvmm-timing: " + (now - processStartNanos) / 1_000_000 + " ms " + phase);
    }

    /** Time since boot (/proc/uptime) less the process's start time since boot (/proc/self/stat). */
    private static long nanosSinceProcessStart() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command name, which may hold spaces, start with the third, state;
            // the 22nd, starttime, is at index 19.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(fields[19]);
            String uptime = Files.readString(Path.of("/proc/uptime"));
            long uptimeNanos = (long) (Double.parseDouble(uptime.substring(0, uptime.indexOf(' '))) * 1e9);
            return Math.max(0, uptimeNanos - startTicks * NANOS_PER_CLOCK_TICK);
        } catch (IOException | RuntimeException e) {
            return 0; // no /proc: the marks count from the first one
        }
    }
}
