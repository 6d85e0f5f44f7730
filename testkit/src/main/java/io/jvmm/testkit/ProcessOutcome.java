package io.jvmm.testkit;

import java.time.Duration;
import java.util.List;

/** What a command printed (stdout and stderr interleaved), its exit status and how long it ran. */
public record ProcessOutcome(int exitCode, String output, Duration elapsed) {
    public List<String> lines() {
        return output.lines().toList();
    }

    public GuestReport guest() {
        return GuestReport.parse(output);
    }

    @Override
    public String toString() {
        return "exit " + exitCode + " after " + elapsed.toMillis() + " ms, output:\n" + output;
    }
}
