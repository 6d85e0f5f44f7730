package io.jvmm.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Command lines of known options with values built from the pieces QEMU's syntax is made of
 * (implied values, key=value, bare keys, doubled commas, numbers at and past their limits), and
 * of arbitrary words: parsing either yields a configuration or fails with an
 * {@link OptionException}, and what it yields is a machine jvmm can build.
 */
class CommandLinePropertiesTest {
    private static final List<String> OPTIONS = List.of("-machine", "-M", "-accel", "-m", "-smp", "-kernel", "-initrd", "-append",
            "-serial", "-qmp", "-name", "-pidfile", "-display", "-cpu", "-device", "-drive", "-netdev", "-chardev", "-object",
            "-sandbox", "-run-with", "-runas", "-daemonize", "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
            "-enable-kvm", "-S", "--kernel", "-bogus", "-", "--");

    @Property(tries = 4000)
    void parsingFailsOnlyWithAnOptionExceptionAndYieldsAUsableMachine(@ForAll("commandLines") List<String> args) {
        VmConfig config;
        try {
            config = CommandLine.parse(args);
        } catch (OptionException refused) {
            assertThat(refused.getMessage()).contains(": ");
            return;
        }
        assertThat(config.memoryBytes()).as("memory").isPositive();
        assertThat(config.memoryBytes() % (1 << 20)).as("memory in whole MiB").isZero();
        assertThat(config.cpus()).isBetween(1, CommandLine.MAX_CPUS);
    }

    /** Sizes under a byte that rounded down to zero bytes, and topologies whose int product wrapped, were accepted. */
    @Example
    void memoryBelowAByteAndOverflowingTopologiesAreRefused() {
        assertThatThrownBy(() -> CommandLine.parse(List.of("-kernel", "k", "-m", "0.0000001"))).isInstanceOf(OptionException.class);
        assertThatThrownBy(() -> CommandLine.parse(List.of("-kernel", "k", "-m", "1.00000001")))
                .isInstanceOf(OptionException.class);
        assertThatThrownBy(() -> CommandLine.parse(List.of("-kernel", "k", "-smp", "4,sockets=1073741825,cores=4")))
                .isInstanceOf(OptionException.class);
        assertThatThrownBy(() -> CommandLine.parse(List.of("-kernel", "k", "-smp", "sockets=65536,cores=65536")))
                .isInstanceOf(OptionException.class).hasMessageContaining("-smp");
    }

    /** Found by the property above: Path.of threw InvalidPathException for a NUL byte in a file name. */
    @Example
    void fileNamesWithANulByteAreRefused() {
        assertThatThrownBy(() -> CommandLine.parse(List.of("-kernel", "a\0b"))).isInstanceOf(OptionException.class);
        assertThatThrownBy(() -> CommandLine.parse(List.of("-kernel", "k", "-qmp", "unix:/tmp/q\0,server,nowait")))
                .isInstanceOf(OptionException.class);
    }

    @Provide
    Arbitrary<List<String>> commandLines() {
        Arbitrary<List<String>> pair = Combinators.combine(Arbitraries.of(OPTIONS), values()).as(List::of);
        Arbitrary<List<String>> word = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(OPTIONS)), Tuple.of(1, values())).map(List::of);
        Arbitrary<List<String>> piece = Arbitraries.frequencyOf(Tuple.of(5, pair), Tuple.of(1, word));
        return piece.list().ofMaxSize(8).flatMap(pieces -> Arbitraries.of(true, true, true, false).map(withKernel -> {
            List<String> args = new ArrayList<>();
            if (withKernel) {
                args.add("-kernel");
                args.add("vmlinuz");
            }
            pieces.forEach(args::addAll);
            return args;
        }));
    }

    /** Option values: comma lists of words, key=value pairs with numbers and sizes, and anything. */
    private static Arbitrary<String> values() {
        Arbitrary<String> word = Arbitraries.of("q35", "pc-q35-8.2", "kvm", "tcg", "host", "max", "on", "off", "yes", "no", "deny",
                "allow", "stdio", "mon:stdio", "pty", "null", "none", "raw", "virtio-blk-pci", "virtio-net-pci", "pcie-root-port",
                "virtio-serial-pci", "virtconsole", "virtio-rng-pci", "virtio-balloon-pci", "vhost-vsock-pci", "rng-random",
                "tap", "socket", "file", "unix:/tmp/q", "file:/tmp/f", "server", "nowait", "wait", "");
        Arbitrary<String> key = Arbitraries.of("type", "accel", "usb", "smm", "kernel-irqchip", "size", "cpus", "sockets", "dies",
                "cores", "threads", "maxcpus", "id", "drive", "netdev", "chardev", "bus", "addr", "file", "format", "if",
                "readonly", "iops", "iops_total", "mac", "ifname", "vhost", "path", "filename", "rng", "max-bytes", "period",
                "guest-cid", "user", "guest", "debug-threads", "model", "enable", "obsolete", "spawn", "port", "chassis",
                "deflate-on-oom", "multifunction", "nr", "name", "x");
        Arbitrary<String> number = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(-2, 300).map(String::valueOf)),
                Tuple.of(2, Arbitraries.of("0x0", "0x1f", "0x1.7", "1.8", "0x", "2147483648", "4294967297", "1073741825",
                        "65536", "9223372036854775807", "-9223372036854775808", "1e3", "1e-9", "0.0000001", "1.00000001",
                        "512M", "1G", "2T", "1023K", "1048576B", "0.5M", "1.5G", "1E+3M", "1e999999999", "1e-999999999", "-1G",
                        "52:54:00:12:34:56", "01:00:00:00:00:00", "52:54:00:12:34:+f", "52:54:00:12:34:-1")),
                Tuple.of(1, Arbitraries.longs().map(String::valueOf)));
        Arbitrary<String> property = Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(key, Arbitraries.oneOf(word, number)).as((k, v) -> k + "=" + v)),
                Tuple.of(1, key),
                Tuple.of(1, key.map(k -> "no" + k)));
        Arbitrary<String> list = Combinators.combine(Arbitraries.oneOf(word, number, property), property.list().ofMaxSize(4))
                .as((first, rest) -> {
                    StringBuilder b = new StringBuilder(first);
                    rest.forEach(p -> b.append(',').append(p));
                    return b.toString();
                });
        return Arbitraries.frequencyOf(
                Tuple.of(6, list),
                Tuple.of(1, Arbitraries.strings().withChars(",=:.\0 -0123456789abcdefxMGno").ofMaxLength(20)),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(10)));
    }
}
