package io.jvmm.vmm;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.vmm.arch.x86_64.BootException;
import io.jvmm.vmm.arch.x86_64.BootGdt;
import io.jvmm.vmm.arch.x86_64.BootPageTables;
import io.jvmm.vmm.arch.x86_64.BzImage;
import io.jvmm.vmm.arch.x86_64.E820Map;
import io.jvmm.vmm.arch.x86_64.acpi.AcpiTables;
import io.jvmm.vmm.bus.Bus;
import io.jvmm.vmm.chardev.FileBackend;
import io.jvmm.vmm.cli.CommandLine;
import io.jvmm.vmm.cli.OptionException;
import io.jvmm.vmm.devices.legacy.Serial8250;
import io.jvmm.vmm.kvm.AnonymousMemory;
import io.jvmm.vmm.kvm.Kvm;
import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.memory.GuestRegion;
import io.jvmm.vmm.qmp.QmpServer;
import io.jvmm.vmm.qmp.RunState;
import io.jvmm.vmm.qmp.VmControl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run for jvmm's class-data-sharing archive (bin/jvmm --build-cds-archive): goes
 * through what a boot does short of KVM (command line, files, guest memory, tables, devices,
 * the QMP socket, JSON) so that the JVM stores those classes, the JDK's included, parsed and
 * verified. Under nested virtualisation JVM start-up is most of jvmm's time to the guest's
 * first instruction; the archive cuts it by several times.
 */
final class CdsTraining {
    private CdsTraining() {}

    public static void main(String[] args) throws OptionException, IOException, HostException {
        CommandLine.parse(List.of("-machine", "q35,accel=kvm", "-m", "256M", "-smp", "2", "-kernel", "/vmlinuz",
                "-initrd", "/initrd", "-append", "console=ttyS0", "-serial", "stdio",
                "-qmp", "unix:/tmp/q,server,nowait", "-nodefaults", "-no-reboot"));
        Kvm.loadLibrary();
        Path dir = Files.createTempDirectory("jvmm-cds");
        try {
            Path file = Files.write(dir.resolve("vmlinuz"), new byte[4096]);
            try {
                BzImage.read(file);
            } catch (BootException expected) {
                // A file of zeros is no kernel; reading it is the point.
            }
            try (FileChannel ch = FileChannel.open(file)) {
                ch.read(ByteBuffer.allocate(4096), 0);
            }
            HostMemory.check(1 << 20);
            try (AnonymousMemory ram = AnonymousMemory.map(8 << 20)) {
                GuestMemory memory = new GuestMemory(List.of(new GuestRegion(0, ram.size(), ram.pointer())));
                AcpiTables acpi = AcpiTables.build(2, 256L << 20);
                memory.write(acpi.base(), acpi.bytes());
                BootGdt.write(memory);
                BootPageTables.write(memory);
                E820Map.forRam(256L << 20);
            }
            FileBackend console = new FileBackend(dir.resolve("console"));
            Serial8250 uart = new Serial8250(level -> { }, console.output());
            Bus ports = new Bus("port I/O");
            ports.register(0x3f8, 8, uart);
            ports.write(0x3f8, new byte[] {'x'});
            console.close();
            try (QmpServer qmp = QmpServer.start(dir.resolve("qmp.sock"), new IdleVm(), "training")) {
                qmp.emit("STOP", java.util.Map.of());
            } catch (QmpServer.SocketException e) {
                // No UNIX sockets here: the archive just lacks those classes.
            }
            new ObjectMapper().readTree("{\"execute\":\"query-status\",\"id\":1}");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        StartupTrace.mark("training");
    }

    /** A VM that does nothing, for the QMP server's classes. */
    private static final class IdleVm implements VmControl {
        @Override public RunState runState() { return RunState.RUNNING; }
        @Override public void stop() { }
        @Override public void cont() { }
        @Override public void quit() { }
        @Override public void powerdown() { }
        @Override public void reset() { }
        @Override public List<VcpuInfo> cpus() { return List.of(); }
    }
}
