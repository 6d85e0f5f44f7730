package io.jvmm.vmm.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Parses jvmm's command line: the subset of QEMU's options (qemu-options.hx) that describes a
 * q35 KVM machine booting a kernel directly, in QEMU's own syntax, so that one command line runs
 * on either. Anything else is refused with a message naming the option.
 */
public final class CommandLine {
    /** QEMU's default when -m is absent. */
    static final long DEFAULT_MEMORY = 128L << 20;
    public static final int MAX_CPUS = 255;
    private static final Set<String> FLAGS = Set.of("daemonize", "nodefaults", "no-user-config", "nographic",
            "no-reboot", "enable-kvm", "S");
    private static final Set<String> WITH_VALUE = Set.of("machine", "M", "accel", "m", "smp", "kernel", "initrd",
            "append", "serial", "qmp", "name", "pidfile", "display", "cpu", "device", "drive", "netdev", "chardev", "object",
            "sandbox", "run-with", "runas");

    private long memory = DEFAULT_MEMORY;
    private int cpus = 1;
    private Path kernel, initrd, qmp, pidfile;
    private String append = "", name;
    private SerialSpec serial;
    private boolean daemonize, noDefaults, noReboot, startPaused;
    private boolean seccomp = true;
    private String runAs;
    private final DeviceOptions devices = new DeviceOptions();

    private CommandLine() {}

    public static VmConfig parse(List<String> args) throws OptionException {
        CommandLine c = new CommandLine();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
                throw new OptionException(arg, "unexpected argument (jvmm takes only options, like -kernel FILE)");
            }
            String name = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            if (FLAGS.contains(name)) {
                c.flag(name);
            } else if (WITH_VALUE.contains(name)) {
                if (i + 1 >= args.size()) {
                    throw new OptionException(arg, "requires an argument");
                }
                c.option("-" + name, args.get(++i));
            } else {
                throw new OptionException(arg, "invalid option");
            }
        }
        return c.build();
    }

    private void flag(String name) {
        switch (name) {
            case "daemonize" -> daemonize = true;
            case "nodefaults" -> noDefaults = true;
            case "no-reboot" -> noReboot = true;
            case "S" -> startPaused = true;
            default -> { } // -nographic, -no-user-config, -enable-kvm: jvmm has no display, reads no config files, is always KVM
        }
    }

    private void option(String option, String value) throws OptionException {
        switch (option) {
            case "-machine", "-M" -> machine(option, value);
            case "-accel" -> accel(option, value);
            case "-m" -> memory(option, value);
            case "-smp" -> smp(option, value);
            case "-kernel" -> kernel = path(option, value);
            case "-initrd" -> initrd = path(option, value);
            case "-append" -> append = value;
            case "-serial" -> serial(option, value);
            case "-qmp" -> qmp(option, value);
            case "-name" -> name(option, value);
            case "-pidfile" -> pidfile = path(option, value);
            case "-cpu" -> cpu(option, value);
            case "-device" -> devices.device(option, value);
            case "-drive" -> devices.drive(option, value);
            case "-netdev" -> devices.netdev(option, value);
            case "-chardev" -> devices.chardev(option, value);
            case "-object" -> devices.object(option, value);
            case "-sandbox" -> sandbox(option, value);
            case "-run-with" -> runWith(option, value);
            case "-runas" -> runAs(option, value);
            case "-display" -> {
                if (!value.equals("none")) {
                    throw new OptionException(option, "jvmm has no display; only 'none' is accepted");
                }
            }
            default -> throw new OptionException(option, "invalid option");
        }
    }

    /** A file name from the command line; {@link DeviceOptions} takes its file names through here too. */
    static Path path(String option, String value) throws OptionException {
        if (value.isEmpty()) {
            throw new OptionException(option, "empty file name");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            // A NUL byte cannot come from argv, but parse takes any list: its contract is OptionException only.
            throw new OptionException(option, "'" + value.replace("\0", "\\0") + "' is not a file name: " + e.getReason());
        }
    }

    private void machine(String option, String value) throws OptionException {
        OptionValue v = OptionValue.parse(option, value, "type");
        String type = v.implied();
        if (type != null && !(type.equals("q35") || type.startsWith("pc-q35-"))) {
            throw new OptionException(option, "unsupported machine type '" + type + "'; jvmm emulates q35 only");
        }
        String accel = v.take("accel");
        if (accel != null) {
            requireKvm(option, accel);
        }
        // Properties libvirt and people pass that describe what jvmm is anyway.
        requireOff(v, option, "usb");
        requireOff(v, option, "vmport");
        requireOff(v, option, "smm");
        requireOff(v, option, "hpet");
        requireOff(v, option, "graphics");
        v.takeBoolean("dump-guest-core", false);
        v.takeBoolean("mem-merge", true);
        String irqchip = v.take("kernel-irqchip");
        if (irqchip != null && !irqchip.equals("on")) {
            throw new OptionException(option, "kernel-irqchip must be on: jvmm uses KVM's in-kernel irqchip");
        }
        v.requireAllTaken();
    }

    private static void requireOff(OptionValue v, String option, String key) throws OptionException {
        if (v.takeBoolean(key, false)) {
            throw new OptionException(option, "'" + key + "=on' is not supported by jvmm");
        }
    }

    private static void requireKvm(String option, String accel) throws OptionException {
        if (!accel.equals("kvm")) {
            throw new OptionException(option, "unsupported accelerator '" + accel + "'; jvmm runs on kvm only");
        }
    }

    /** jvmm gives the guest what the host's KVM supports, QEMU's "-cpu host" (and "max" under KVM). */
    private static void cpu(String option, String value) throws OptionException {
        OptionValue v = OptionValue.parse(option, value, "model");
        if (!"host".equals(v.implied()) && !"max".equals(v.implied())) {
            throw new OptionException(option, "CPU model '" + v.implied() + "' is not supported; jvmm passes the host's "
                    + "KVM-supported CPU through: use -cpu host");
        }
        v.takeBoolean("migratable", true);
        v.requireAllTaken();
    }

    private void accel(String option, String value) throws OptionException {
        OptionValue v = OptionValue.parse(option, value, "accel");
        if (v.implied() == null) {
            throw new OptionException(option, "missing accelerator name; use kvm");
        }
        requireKvm(option, v.implied());
        String irqchip = v.take("kernel-irqchip");
        if (irqchip != null && !irqchip.equals("on")) {
            throw new OptionException(option, "kernel-irqchip must be on: jvmm uses KVM's in-kernel irqchip");
        }
        v.requireAllTaken();
    }

    private void memory(String option, String value) throws OptionException {
        OptionValue v = OptionValue.parse(option, value, "size");
        if (v.implied() == null) {
            throw new OptionException(option, "missing size (like 256M or 2G)");
        }
        memory = SizeParser.parseMemory(option, v.implied());
        v.requireAllTaken(); // slots= and maxmem= would need memory hotplug
    }

    private void smp(String option, String value) throws OptionException {
        OptionValue v = OptionValue.parse(option, value, "cpus");
        Integer n = v.implied() == null ? null : count(option, "cpus", v.implied());
        int sockets = count(option, "sockets", v.take("sockets"), 1);
        int dies = count(option, "dies", v.take("dies"), 1);
        int cores = count(option, "cores", v.take("cores"), 1);
        int threads = count(option, "threads", v.take("threads"), 1);
        String max = v.take("maxcpus");
        v.requireAllTaken();
        // Checked one by one first: their product in an int wraps, and sockets=1073741825,cores=4 came out as 4.
        if (Math.max(Math.max(sockets, dies), Math.max(cores, threads)) > MAX_CPUS) {
            throw new OptionException(option, "sockets, dies, cores and threads are each at most " + MAX_CPUS);
        }
        long topology = (long) sockets * dies * cores * threads;
        long total = n != null ? n : topology;
        if (n != null && topology != 1 && topology != n) {
            throw new OptionException(option, "cpus=" + n + " does not match sockets*dies*cores*threads=" + topology);
        }
        if (max != null && count(option, "maxcpus", max) != total) {
            throw new OptionException(option, "maxcpus must equal cpus: jvmm does not hot-plug CPUs");
        }
        if (total < 1 || total > MAX_CPUS) {
            throw new OptionException(option, "between 1 and " + MAX_CPUS + " CPUs, not " + total);
        }
        cpus = (int) total;
    }

    private static int count(String option, String key, String text, int absent) throws OptionException {
        return text == null ? absent : count(option, key, text);
    }

    private static int count(String option, String key, String text) throws OptionException {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new OptionException(option, key + " must be a positive number, not '" + text + "'");
    }

    private void serial(String option, String value) throws OptionException {
        if (serial != null) {
            throw new OptionException(option, "given twice; jvmm has one serial port (COM1)");
        }
        serial = switch (value) {
            case "stdio", "mon:stdio" -> SerialSpec.of(SerialSpec.Kind.STDIO);
            case "pty" -> SerialSpec.of(SerialSpec.Kind.PTY);
            case "none", "null" -> SerialSpec.of(SerialSpec.Kind.NONE);
            default -> {
                if (value.startsWith("file:")) {
                    yield new SerialSpec(SerialSpec.Kind.FILE, path(option, value.substring(5)));
                }
                if (value.startsWith("unix:")) {
                    yield new SerialSpec(SerialSpec.Kind.UNIX_SERVER, unixServer(option, value));
                }
                throw new OptionException(option, "unsupported backend '" + value
                        + "'; use stdio, pty, none, file:PATH or unix:PATH,server,nowait");
            }
        };
    }

    private void qmp(String option, String value) throws OptionException {
        if (qmp != null) {
            throw new OptionException(option, "given twice; jvmm serves one QMP socket");
        }
        if (!value.startsWith("unix:")) {
            throw new OptionException(option, "unsupported '" + value + "'; use unix:PATH,server,nowait");
        }
        qmp = unixServer(option, value);
    }

    /** unix:PATH,server[=on],nowait|wait=off: a listening socket that does not wait for a client. */
    private static Path unixServer(String option, String value) throws OptionException {
        OptionValue v = OptionValue.parse(option, value.substring(5), "path");
        if (v.implied() == null || v.implied().isEmpty()) {
            throw new OptionException(option, "missing socket path after 'unix:'");
        }
        if (!v.takeBoolean("server", false)) {
            throw new OptionException(option, "jvmm listens only: add ',server,nowait'");
        }
        if (v.takeBoolean("wait", true)) {
            throw new OptionException(option, "jvmm does not wait for a client before starting: add ',nowait'");
        }
        v.requireAllTaken();
        return path(option, v.implied());
    }

    /**
     * QEMU's -sandbox on|off[,obsolete=deny][,elevateprivileges=deny][,spawn=deny][,resourcecontrol=deny]:
     * jvmm's filter always denies all four, so only "deny" is accepted for them. On by default
     * in jvmm (QEMU's default is off): a VMM runs guest-controlled code paths.
     */
    private void sandbox(String option, String value) throws OptionException {
        OptionValue v = OptionValue.parse(option, value, "enable");
        if (v.implied() == null || !(v.implied().equals("on") || v.implied().equals("off"))) {
            throw new OptionException(option, "use on or off, not '" + v.implied() + "'");
        }
        seccomp = v.implied().equals("on");
        for (String key : new String[] {"obsolete", "elevateprivileges", "spawn", "resourcecontrol"}) {
            String setting = v.take(key);
            if (setting != null && !setting.equals("deny")) {
                throw new OptionException(option, key + "=" + setting + " is not supported: jvmm's filter always denies it");
            }
        }
        v.requireAllTaken();
    }

    /** QEMU's -run-with user=USER|UID:GID: give up root for that user once the machine is built. */
    private void runWith(String option, String value) throws OptionException {
        OptionValue v = OptionValue.parse(option, value, null);
        String user = v.take("user");
        if (user != null) {
            runAs(option, user);
        }
        v.requireAllTaken();
    }

    private void runAs(String option, String user) throws OptionException {
        if (user.isEmpty()) {
            throw new OptionException(option, "missing user name (or UID:GID)");
        }
        if (runAs != null) {
            throw new OptionException(option, "the user is given twice (-run-with user= and -runas)");
        }
        runAs = user;
    }

    private void name(String option, String value) throws OptionException {
        OptionValue v = OptionValue.parse(option, value, "guest");
        if (v.implied() == null) {
            throw new OptionException(option, "missing name");
        }
        name = v.implied();
        v.takeBoolean("debug-threads", false);
        v.take("process");
        v.requireAllTaken();
    }

    private VmConfig build() throws OptionException {
        if (kernel == null) {
            throw new OptionException("-kernel", "missing: jvmm boots a Linux bzImage given with -kernel FILE");
        }
        if (serial == null) {
            // QEMU's defaults: -nodefaults connects no serial port; otherwise COM1 is the
            // terminal (QEMU's is with -nographic; jvmm has no display to put it on instead).
            serial = SerialSpec.of(noDefaults ? SerialSpec.Kind.NONE : SerialSpec.Kind.STDIO);
        }
        if (daemonize && serial.kind() == SerialSpec.Kind.STDIO) {
            throw new OptionException("-daemonize", "cannot be used with a serial port on stdio (-serial stdio or -nographic)");
        }
        List<DeviceSpec> deviceSpecs = devices.resolve();
        if (daemonize && deviceSpecs.stream().anyMatch(d -> d instanceof DeviceSpec.Serial s && s.console() != null
                && s.console().kind() == DeviceSpec.Chardev.Kind.STDIO)) {
            throw new OptionException("-daemonize", "cannot be used with a console on stdio (-chardev stdio)");
        }
        return new VmConfig(memory, cpus, kernel, initrd, append, serial, qmp, name, pidfile, daemonize, noReboot, startPaused,
                deviceSpecs, seccomp, runAs);
    }
}
