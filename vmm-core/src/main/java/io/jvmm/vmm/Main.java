package io.jvmm.vmm;

import io.jvmm.vmm.arch.x86_64.BootException;
import io.jvmm.vmm.arch.x86_64.BzImage;
import io.jvmm.vmm.arch.x86_64.DirectKernelBoot;
import io.jvmm.vmm.chardev.CharBackend;
import io.jvmm.vmm.chardev.FileBackend;
import io.jvmm.vmm.chardev.NullBackend;
import io.jvmm.vmm.chardev.PtyBackend;
import io.jvmm.vmm.chardev.StdioBackend;
import io.jvmm.vmm.chardev.UnixSocketBackend;
import io.jvmm.vmm.cli.CommandLine;
import io.jvmm.vmm.cli.OptionException;
import io.jvmm.vmm.cli.VmConfig;
import io.jvmm.vmm.confine.Landlock;
import io.jvmm.vmm.confine.RunAsUser;
import io.jvmm.vmm.confine.Seccomp;
import io.jvmm.vmm.confine.VmmFileRules;
import io.jvmm.vmm.confine.VmmSyscallFilter;
import io.jvmm.vmm.host.HostFiles;
import io.jvmm.vmm.kvm.Kvm;
import io.jvmm.vmm.kvm.KvmException;
import io.jvmm.vmm.qmp.QmpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * jvmm's entry point: parse the QEMU-style command line, check the kernel, initrd and memory
 * size, then run the VM until it ends. Every way of failing ends with one line on stderr that
 * says what was wrong, and exit status 1, as QEMU does.
 */
public final class Main {
    private static final String KVM_DEVICE = "/dev/kvm";

    private Main() {}

    public static void main(String[] args) {
        bindLibcInBackground();
        int status;
        try {
            status = run(List.of(args));
        } catch (OptionException | BootException | HostException | KvmException | ConfinementException e) {
            System.err.println("jvmm: " + e.getMessage());
            status = 1;
        } catch (InterruptedException e) {
            status = 1;
        } catch (RuntimeException | Error e) {
            // A bug: say so in one line first, then give the trace to whoever reports it.
            System.err.println("jvmm: internal error: " + e);
            e.printStackTrace();
            status = 1;
        }
        System.out.flush();
        System.exit(status);
    }

    /**
     * Binding the C library is the slowest step of start-up under nested virtualisation; it runs
     * while the command line and the kernel are checked.
     */
    static void bindLibcInBackground() {
        Thread bind = new Thread(() -> {
            try {
                Kvm.loadLibrary();
            } catch (RuntimeException | LinkageError e) {
                // The main path binds again, fails the same way and reports it.
            }
        }, "bind-libc");
        bind.setDaemon(true);
        bind.start();
    }

    static int run(List<String> args) throws OptionException, BootException, HostException, InterruptedException {
        if (args.contains("-version") || args.contains("--version")) {
            System.out.println("jvmm " + Version.VERSION + " (QEMU-compatible command line, q35, KVM)");
            return 0;
        }
        StartupTrace.mark("main");
        VmConfig config = CommandLine.parse(args);
        if (config.daemonize()) {
            return Daemon.start(args, config);
        }
        RunAsUser runAs = runAsUser(config);
        if (config.seccomp()) {
            bindFiles(config);
        }
        BzImage kernel = BzImage.read(config.kernel());
        HostMemory.check(config.memoryBytes());
        StartupTrace.mark("kernel header read");
        DirectKernelBoot boot = new DirectKernelBoot(kernel, config.initrd(), config.append(), config.memoryBytes());
        StartupTrace.mark("boot checked");
        Kvm kvm;
        try {
            kvm = Kvm.open(KVM_DEVICE);
        } catch (KvmException e) {
            throw new HostException("cannot use " + KVM_DEVICE + ": " + e.getMessage());
        }
        StartupTrace.mark("kvm open");
        if (config.cpus() > kvm.maxVcpus()) {
            throw new HostException("-smp " + config.cpus() + ": this host's KVM allows at most " + kvm.maxVcpus() + " vCPUs");
        }
        DeviceBackends backends = DeviceBackends.open(config.devices());
        CharBackend serial = serialBackend(config);
        QmpServer qmp = null;
        try {
            VirtualMachine vm = new VirtualMachine(kvm, config.cpus(), config.memoryBytes(), boot, serial,
                    config.noReboot(), config.startPaused(), config.devices(), backends);
            if (config.qmpSocket() != null) {
                try {
                    qmp = QmpServer.start(config.qmpSocket(), vm, "jvmm " + Version.VERSION);
                } catch (QmpServer.SocketException e) {
                    throw new HostException(e.getMessage());
                }
                vm.events(qmp);
            }
            writePidfile(config.pidfile());
            for (String signal : new String[] {"TERM", "INT", "HUP"}) {
                // Like QEMU ("terminating on signal"): a stop request, not an abrupt death, so
                // that QMP clients get SHUTDOWN and the pidfile and sockets are cleaned up.
                sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
                    System.err.println("jvmm: terminating on signal " + s.getNumber());
                    vm.terminateOnSignal();
                });
            }
            QmpServer monitor = qmp;
            VirtualMachine.Outcome outcome = vm.run(() -> confine(config, runAs), () -> {
                if (monitor != null) {
                    monitor.serve();
                }
                Daemon.reportReady();
                StartupTrace.mark("vcpus started");
            });
            if (outcome.message() != null) {
                System.err.println("jvmm: " + outcome.message());
            }
            return outcome.exitStatus();
        } finally {
            if (qmp != null) {
                qmp.close();
            }
            serial.close();
            backends.close();
            deletePidfile(config.pidfile());
        }
    }

    private static RunAsUser runAsUser(VmConfig config) throws OptionException {
        if (config.runAs() == null) {
            return null;
        }
        try {
            return RunAsUser.resolve(config.runAs(), Path.of("/etc/passwd"), Path.of("/etc/group"));
        } catch (IllegalArgumentException e) {
            throw new OptionException("-run-with", e.getMessage());
        }
    }

    /**
     * Landlock, with -sandbox on: before jvmm starts any thread of its own (Landlock binds the
     * calling thread and those it starts), it may open only its command line's files, its socket
     * directories, device nodes and the JVM's own files ({@link VmmFileRules}). On a kernel without
     * Landlock this is skipped, said once when the node agent asked for confinement
     * (JVMM_ALLOWED_ROOTS): openat2 beneath the roots still applies.
     */
    private static void bindFiles(VmConfig config) throws HostException {
        for (Path output : VmmFileRules.outputFiles(config)) {
            try {
                if (!Files.exists(output)) {
                    Files.createFile(output);
                }
            } catch (IOException e) {
                throw new HostException("cannot create " + output + ": " + e.getMessage());
            }
        }
        int abi;
        try {
            abi = Landlock.restrictThisThread(VmmFileRules.of(config, Daemon.readyFile()));
        } catch (RuntimeException e) {
            throw new ConfinementException("-sandbox on: cannot restrict file access with Landlock (" + e.getMessage()
                    + "); -sandbox off runs without it", e);
        }
        if (abi == 0 && System.getenv(HostFiles.ROOTS_ENV) != null) {
            System.err.println("jvmm: this kernel has no Landlock: file access is confined by " + HostFiles.ROOTS_ENV
                    + " and the VMM's user only");
        }
        StartupTrace.mark("landlock abi " + abi);
    }

    /** Failing to give up root or to install the filter ends jvmm before the guest runs. */
    static final class ConfinementException extends RuntimeException {
        ConfinementException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Once the machine is built, before the guest's first instruction: root given up (-run-with
     * user=), then the system call filter (-sandbox on, the default) on every thread.
     * JVMM_SECCOMP_LOG=1 logs the calls the filter would refuse instead of killing jvmm: how the
     * census that made the list is taken.
     */
    private static void confine(VmConfig config, RunAsUser runAs) {
        if (runAs != null) {
            try {
                runAs.apply();
            } catch (RuntimeException e) {
                throw new ConfinementException("-run-with user=" + runAs.spec() + ": " + e.getMessage(), e);
            }
        }
        if (config.seccomp()) {
            boolean census = "1".equals(System.getenv("JVMM_SECCOMP_LOG"));
            try {
                Seccomp.install(VmmSyscallFilter.program(ProcessHandle.current().pid(),
                        census ? VmmSyscallFilter.RET_LOG : VmmSyscallFilter.RET_KILL_PROCESS));
            } catch (RuntimeException e) {
                throw new ConfinementException("-sandbox on: cannot install the system call filter (" + e.getMessage()
                        + "); -sandbox off runs without it", e);
            }
        }
        StartupTrace.mark("confined");
    }

    private static CharBackend serialBackend(VmConfig config) throws HostException {
        try {
            return switch (config.serial().kind()) {
                case STDIO -> new StdioBackend();
                case NONE -> new NullBackend();
                case FILE -> new FileBackend(config.serial().path());
                case PTY -> new PtyBackend("serial0");
                case UNIX_SERVER -> new UnixSocketBackend(config.serial().path());
            };
        } catch (IOException e) {
            throw new HostException("-serial: cannot open " + (config.serial().path() != null ? config.serial().path() : "a pty")
                    + ": " + e.getMessage());
        }
    }

    private static void writePidfile(Path pidfile) throws HostException {
        if (pidfile == null) {
            return;
        }
        try {
            Files.writeString(pidfile, ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            throw new HostException("-pidfile " + pidfile + ": cannot write it: " + e.getMessage());
        }
    }

    private static void deletePidfile(Path pidfile) {
        if (pidfile != null) {
            try {
                Files.deleteIfExists(pidfile);
            } catch (IOException e) {
                // Left behind; a stale pidfile names a dead process.
            }
        }
    }

    static String[] withoutDaemonize(List<String> args) {
        return args.stream().filter(a -> !a.equals("-daemonize") && !a.equals("--daemonize")).toArray(String[]::new);
    }
}
