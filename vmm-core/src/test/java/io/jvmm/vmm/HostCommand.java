package io.jvmm.vmm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command on this host (not in the sandbox) for a test. */
final class HostCommand {
    record Result(int exitCode, String stdout, String stderr) {}

    private HostCommand() {}

    static Result run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            var out = p.getInputStream();
            var err = p.getErrorStream();
            // Outputs are small here; read both fully after exit would risk a full pipe, so read in turn.
            String stdout = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            String stderr = new String(err.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in 5 minutes");
            }
            return new Result(p.exitValue(), stdout, stderr);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    /** The last line of a command's standard output; the command must succeed. */
    static String output(String... command) {
        Result r = run(List.of(command));
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (" + r.exitCode() + "): " + r.stderr());
        }
        List<String> lines = r.stdout().lines().toList();
        return lines.get(lines.size() - 1).trim();
    }
}
