package io.jvmm.vmm.confine;

import io.jvmm.vmm.cli.DeviceSpec;
import io.jvmm.vmm.cli.SerialSpec;
import io.jvmm.vmm.cli.VmConfig;
import io.jvmm.vmm.confine.Landlock.Rule;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What jvmm may open once Landlock binds it, from its command line: the guest's files (kernel and
 * initrd read again at each reset, disks and chardev files as the command line opens them), the
 * directories of its sockets and pidfile (made, renamed into place and removed there), device
 * nodes (KVM, tun, vhost, ptys, the entropy sources), /proc and /sys for reading, and the JVM's own
 * files (its home, the class path, the native stub). Nothing else: no write anywhere else, no
 * file of another VM, no host secret, even where jvmm's user could open it.
 */
public final class VmmFileRules {
    static final long READ = Landlock.READ_FILE | Landlock.READ_DIR;
    static final long READ_WRITE = Landlock.READ_FILE | Landlock.WRITE_FILE | Landlock.TRUNCATE;
    static final long DEVICES = Landlock.READ_FILE | Landlock.WRITE_FILE | Landlock.IOCTL_DEV;
    /** A socket made under a staging name, renamed into place, and removed at the end. */
    static final long SOCKET_DIRECTORY = Landlock.MAKE_SOCK | Landlock.REMOVE_FILE;
    static final long PIDFILE_DIRECTORY = Landlock.MAKE_REG | Landlock.WRITE_FILE | Landlock.TRUNCATE
            | Landlock.REMOVE_FILE;

    private VmmFileRules() {}

    /**
     * The files jvmm makes for output (-serial file:, -chardev file): Landlock grants rights on a
     * file that exists, so they are made, empty, before the rules are; the backend truncates
     * them anyway.
     */
    public static List<Path> outputFiles(VmConfig config) {
        List<Path> files = new ArrayList<>();
        if (config.serial().kind() == SerialSpec.Kind.FILE) {
            files.add(config.serial().path());
        }
        for (DeviceSpec d : config.devices()) {
            if (d instanceof DeviceSpec.Serial s && s.console() != null && s.console().kind() == DeviceSpec.Chardev.Kind.FILE) {
                files.add(s.console().path());
            }
        }
        return files;
    }

    /** {@code readyFile}: where a -daemonize child says it runs (in a directory of its own), or null. */
    public static List<Rule> of(VmConfig config, Path readyFile) {
        List<Rule> rules = new ArrayList<>();
        if (readyFile != null) {
            rules.add(new Rule(parent(readyFile), Landlock.MAKE_REG | Landlock.WRITE_FILE));
        }
        rules.add(new Rule(config.kernel(), Landlock.READ_FILE));
        if (config.initrd() != null) {
            rules.add(new Rule(config.initrd(), Landlock.READ_FILE));
        }
        rules.add(new Rule(Path.of("/dev"), DEVICES | Landlock.READ_DIR));
        rules.add(new Rule(Path.of("/proc"), READ));
        rules.add(new Rule(Path.of("/sys"), READ));
        if (config.qmpSocket() != null) {
            rules.add(new Rule(parent(config.qmpSocket()), SOCKET_DIRECTORY));
        }
        if (config.pidfile() != null) {
            rules.add(new Rule(parent(config.pidfile()), PIDFILE_DIRECTORY));
        }
        serial(rules, config.serial());
        for (DeviceSpec d : config.devices()) {
            if (d instanceof DeviceSpec.Block b) {
                rules.add(new Rule(b.drive().file(), b.drive().readOnly() ? Landlock.READ_FILE : READ_WRITE));
            } else if (d instanceof DeviceSpec.Rng r) {
                rules.add(new Rule(r.source(), Landlock.READ_FILE));
            } else if (d instanceof DeviceSpec.Serial s) {
                chardev(rules, s.console());
            }
        }
        jvm(rules);
        return rules;
    }

    private static void serial(List<Rule> rules, SerialSpec serial) {
        if (serial.kind() == SerialSpec.Kind.FILE) {
            rules.add(new Rule(serial.path(), READ_WRITE));
        } else if (serial.kind() == SerialSpec.Kind.UNIX_SERVER) {
            rules.add(new Rule(parent(serial.path()), SOCKET_DIRECTORY));
        }
    }

    private static void chardev(List<Rule> rules, DeviceSpec.Chardev c) {
        if (c == null || c.path() == null) {
            return;
        }
        rules.add(c.kind() == DeviceSpec.Chardev.Kind.SOCKET ? new Rule(parent(c.path()), SOCKET_DIRECTORY)
                : new Rule(c.path(), READ_WRITE));
    }

    /**
     * The JVM loads classes, native libraries and its configuration (java.security, first read
     * when a security provider is first needed) as it first needs them, long after start. A rule
     * binds what its path resolves to, so the files a distribution's JDK links to from elsewhere
     * (Debian's conf/ and lib/ entries point into /etc/java-17-openjdk) get rules of their own.
     */
    private static void jvm(List<Rule> rules) {
        Path home = Path.of(System.getProperty("java.home"));
        rules.add(new Rule(home, READ));
        for (String dir : new String[] {"conf", "lib"}) {
            try (Stream<Path> walk = Files.walk(home.resolve(dir), 4)) {
                walk.filter(Files::isSymbolicLink).forEach(link -> {
                    try {
                        rules.add(new Rule(link.toRealPath(), READ));
                    } catch (IOException e) {
                        // a dangling link: nothing to read there
                    }
                });
            } catch (IOException e) {
                // no such directory in this JDK
            }
        }
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                rules.add(new Rule(Path.of(entry).toAbsolutePath(), READ));
            }
        }
        String stub = System.getProperty("jffi.boot.library.path");
        if (stub != null) {
            rules.add(new Rule(Path.of(stub), READ));
        }
        for (String lib : new String[] {"/lib", "/lib64", "/usr/lib", "/usr/lib64"}) {
            rules.add(new Rule(Path.of(lib), READ));
        }
    }

    private static Path parent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of("/") : parent;
    }
}
