package io.jvmm.vmm;

import io.jvmm.vmm.cli.VmConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * -daemonize: a JVM cannot fork, so jvmm starts itself again without the flag, in a new session
 * (setsid) with no terminal, and waits until that child reports it is running (or fails, whose
 * message is then shown here). Like QEMU, the parent's exit status says whether the VM started.
 */
final class Daemon {
    static final String READY_FILE_ENV = "JVMM_DAEMON_READY";
    private static final long START_TIMEOUT_SECONDS = 60;

    private Daemon() {}

    static int start(List<String> args, VmConfig config) throws HostException, InterruptedException {
        ProcessHandle.Info self = ProcessHandle.current().info();
        String java = self.command().orElseThrow(() -> new HostException("-daemonize: cannot find the java executable"));
        List<String> command = new ArrayList<>(List.of("setsid", java));
        command.addAll(List.of(self.arguments().orElseThrow(() -> new HostException("-daemonize: cannot read jvmm's own command line"))));
        int mainArgs = command.size() - args.size();
        List<String> jvmArgs = new ArrayList<>(command.subList(0, mainArgs));
        jvmArgs.addAll(List.of(Main.withoutDaemonize(args)));
        try {
            // In a directory of its own: the child, bound by Landlock, may make files there and nowhere else.
            Path readyDir = Files.createTempDirectory("jvmm-daemon");
            Path ready = readyDir.resolve("ready");
            Path errors = Files.createTempFile("jvmm-daemon", ".err");
            ProcessBuilder pb = new ProcessBuilder(jvmArgs)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(errors.toFile());
            pb.environment().put(READY_FILE_ENV, ready.toString());
            Process child = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
            while (System.nanoTime() < deadline) {
                if (Files.exists(ready)) {
                    Files.deleteIfExists(ready);
                    Files.deleteIfExists(readyDir);
                    // Once running, the daemon's stderr goes nowhere, as QEMU's does.
                    Files.deleteIfExists(errors);
                    return 0;
                }
                if (child.waitFor(20, TimeUnit.MILLISECONDS)) {
                    System.err.print(Files.readString(errors));
                    Files.deleteIfExists(errors);
                    Files.deleteIfExists(readyDir);
                    return child.exitValue() == 0 ? 1 : child.exitValue();
                }
            }
            child.destroy();
            throw new HostException("-daemonize: the VM did not start within " + START_TIMEOUT_SECONDS + " s");
        } catch (IOException e) {
            throw new HostException("-daemonize: cannot start jvmm in the background: " + e.getMessage());
        }
    }

    /** The file the child writes when the VM runs, in a directory of its own; null when not a daemon's child. */
    static Path readyFile() {
        String ready = System.getenv(READY_FILE_ENV);
        return ready == null ? null : Path.of(ready);
    }

    /** Called by the child once the VM is about to run: the parent may exit. */
    static void reportReady() {
        String ready = System.getenv(READY_FILE_ENV);
        if (ready != null) {
            try {
                Files.writeString(Path.of(ready), "ready\n");
            } catch (IOException e) {
                // The parent times out and says so.
            }
        }
    }
}
