package io.jvmm.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs commands on hardware-style KVM through bin/jvmm-sandbox: directly where /dev/kvm is VMX or
 * SVM, otherwise in the nested sandbox.  Instances are immutable; the with* methods copy.
 */
public final class KvmSandbox {
    private final int cpus;
    private final String memory;
    private final Duration timeout;
    private final List<Path> writableDirectories;

    public KvmSandbox() {
        this(2, "4G", Duration.ofMinutes(5), List.of());
    }

    private KvmSandbox(int cpus, String memory, Duration timeout, List<Path> writableDirectories) {
        this.cpus = cpus;
        this.memory = memory;
        this.timeout = timeout;
        this.writableDirectories = List.copyOf(writableDirectories);
    }

    public KvmSandbox withCpus(int count) {
        return new KvmSandbox(count, memory, timeout, writableDirectories);
    }

    /** SIZE as the sandbox takes it, for example "4G" or "3072M". */
    public KvmSandbox withMemory(String size) {
        return new KvmSandbox(cpus, size, timeout, writableDirectories);
    }

    public KvmSandbox withTimeout(Duration limit) {
        return new KvmSandbox(cpus, memory, limit, writableDirectories);
    }

    /** A host directory whose changes made inside the sandbox are kept. */
    public KvmSandbox withWritable(Path directory) {
        List<Path> dirs = new ArrayList<>(writableDirectories);
        dirs.add(directory.toAbsolutePath());
        return new KvmSandbox(cpus, memory, timeout, dirs);
    }

    public ProcessOutcome run(String... command) {
        return run(List.of(command));
    }

    public ProcessOutcome run(List<String> command) {
        List<String> argv = new ArrayList<>(List.of(ProjectRoot.bin("jvmm-sandbox").toString(),
                "--cpus", Integer.toString(cpus), "--mem", memory));
        for (Path dir : writableDirectories) {
            argv.add("--rw");
            argv.add(dir.toString());
        }
        argv.add("--");
        argv.addAll(command);
        // The sandbox's own timeout is the backstop; this one, a little later, reports it.
        return CommandRunner.run(argv, ProjectRoot.path(), timeout.plusSeconds(30));
    }

    /** A shell command line, run by bash in the sandbox. */
    public ProcessOutcome shell(String script) {
        return run("bash", "-c", script);
    }
}
