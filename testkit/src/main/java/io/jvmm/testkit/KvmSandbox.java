package io.jvmm.testkit;

import java.nio.file.Files;
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
        try {
            return CommandRunner.run(argv, ProjectRoot.path(), timeout.plusSeconds(30));
        } catch (CommandRunner.TimedOut e) {
            if (!nested()) {
                throw e;
            }
            // The nested sandbox (SVM in QEMU's software emulation) now and then hangs without
            // ending, QEMU's own guest as much as jvmm's: one fresh sandbox, said aloud. A
            // command that hangs by itself hangs again and fails as before.
            // With the end of the hung run's output: where it stopped is the only clue left.
            String message = e.getMessage();
            String first = message.lines().findFirst().orElse("timed out");
            String rest = message.substring(first.length());
            System.out.println("jvmm-sandbox: " + first + (rest.length() > 4000 ? "\n..." + rest.substring(rest.length() - 4000) : rest)
                    + "\njvmm-sandbox: running the command once more in a fresh sandbox");
            return CommandRunner.run(argv, ProjectRoot.path(), timeout.plusSeconds(30));
        }
    }

    /** What jvmm prints when its guest triple-faults. */
    static final String GUEST_TRIPLE_FAULT = "the guest triple-faulted (KVM_EXIT_SHUTDOWN)";

    public ProcessOutcome runGuest(String... command) {
        return runGuest(List.of(command));
    }

    /**
     * Runs a command that boots guests which must run to their end. In the nested sandbox the
     * guests of QEMU and of jvmm alike now and then reset on their own (QEMU's in
     * QemuKvmSandboxTest, jvmm's during virtio-net transmit and balloon inflation, each once in
     * many runs), which jvmm reports as a triple fault: such a run is run once more in a fresh
     * sandbox, said aloud. A guest that faults again, or on hardware KVM, fails as before.
     */
    public ProcessOutcome runGuest(List<String> command) {
        ProcessOutcome outcome = run(command);
        if (nested() && outcome.output().contains(GUEST_TRIPLE_FAULT)) {
            System.out.println("jvmm-sandbox: a guest triple-faulted in the nested sandbox; running the command"
                    + " once more in a fresh sandbox. The first run: " + outcome);
            return run(command);
        }
        return outcome;
    }

    /** Whether bin/jvmm-sandbox runs commands in the nested sandbox here, as it decides itself. */
    static boolean nested() {
        String mode = System.getenv().getOrDefault("JVMM_SANDBOX", "auto");
        if (!mode.equals("auto")) {
            return mode.equals("nested");
        }
        boolean hardware = !Files.exists(Path.of("/sys/module/kvm_pvm"))
                && (Files.exists(Path.of("/sys/module/kvm_intel")) || Files.exists(Path.of("/sys/module/kvm_amd")))
                && Files.isReadable(Path.of("/dev/kvm")) && Files.isWritable(Path.of("/dev/kvm"));
        return !hardware;
    }

    /** A shell command line, run by bash in the sandbox. */
    public ProcessOutcome shell(String script) {
        return run("bash", "-c", script);
    }
}
