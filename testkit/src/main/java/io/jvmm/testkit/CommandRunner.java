package io.jvmm.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a process, echoing its output to this JVM's stdout as it comes and keeping a copy. */
final class CommandRunner {
    private CommandRunner() {}

    /** The command ran past its time and was killed. */
    static final class TimedOut extends AssertionError {
        TimedOut(String message) {
            super(message);
        }
    }

    static ProcessOutcome run(List<String> command, Path directory, Duration timeout) {
        long start = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        try {
            Process process = builder.start();
            StringBuilder output = new StringBuilder();
            Thread pump = new Thread(() -> copy(process.getInputStream(), output), "output-of-" + command.get(0));
            pump.setDaemon(true);
            pump.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                pump.join(5_000);
                throw new TimedOut("timed out after " + timeout.toSeconds() + " s: " + command + "\noutput so far:\n" + snapshot(output));
            }
            pump.join(10_000);
            return new ProcessOutcome(process.exitValue(), snapshot(output), Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static void copy(InputStream in, StringBuilder sink) {
        byte[] buffer = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                String chunk = new String(buffer, 0, n, StandardCharsets.UTF_8);
                System.out.print(chunk);
                synchronized (sink) {
                    sink.append(chunk);
                }
            }
        } catch (IOException e) {
            // The process went away; what was read is kept.
        }
    }

    private static String snapshot(StringBuilder sink) {
        synchronized (sink) {
            return sink.toString();
        }
    }
}
