package io.jvmm.vmm;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.vmm.arch.x86_64.BootException;
import io.jvmm.vmm.arch.x86_64.BootGdt;
import io.jvmm.vmm.arch.x86_64.BootPageTables;
import io.jvmm.vmm.arch.x86_64.BzImage;
import io.jvmm.vmm.arch.x86_64.E820Map;
import io.jvmm.vmm.arch.x86_64.FakeBzImage;
import io.jvmm.vmm.arch.x86_64.acpi.AcpiTables;
import io.jvmm.vmm.bus.Bus;
import io.jvmm.vmm.chardev.CharBackend;
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
import io.jvmm.vmm.confine.VmmSyscallFilter;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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

    public static void main(String[] args) throws OptionException, IOException, HostException, InterruptedException {
        CommandLine.parse(List.of("-machine", "q35,accel=kvm", "-m", "256M", "-smp", "2", "-kernel", "/vmlinuz",
                "-initrd", "/initrd", "-append", "console=ttyS0", "-serial", "stdio",
                "-qmp", "unix:/tmp/q,server,nowait", "-nodefaults", "-no-reboot"));
        Main.bindLibcInBackground();
        Kvm.loadLibrary();
        // -serial stdio's input pump, which a build cannot run on its own standard input.
        CharBackend.pump("training-pump", InputStream.nullInputStream(), (data, length) -> { }).join();
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
                AcpiTables acpi = AcpiTables.build(2, 256L << 20, 0);
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
            startPaused(dir);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        StartupTrace.mark("training");
        // The archive is written at exit; threads a VM left behind must not hold the JVM up.
        System.exit(0);
    }

    /**
     * bin/jvmm's own start, as the node agent runs it (serial and QMP on UNIX sockets, the seed's
     * devices but the ones that need a tap or vhost), short of running the guest: -S keeps the
     * vCPUs stopped while a QMP client reads the status and quits. That puts the classes of a
     * real start in the archive, lambdas included. Where /dev/kvm makes no VM, they are missing
     * from it, and start-up is that much slower, nothing else.
     */
    private static void startPaused(Path dir) throws IOException {
        Path kernel = FakeBzImage.write(dir.resolve("bzImage"), 16 << 20);
        Path initrd = Files.write(dir.resolve("initrd"), new byte[4096]);
        Path disk = Files.write(dir.resolve("disk"), new byte[1 << 20]);
        Path qmp = dir.resolve("qmp.sock");
        Thread client = new Thread(() -> quitOverQmp(qmp), "training-qmp");
        client.setDaemon(true);
        client.start();
        try {
            int status = Main.run(List.of("-name", "training", "-machine", "q35", "-accel", "kvm", "-m", "64M",
                    "-smp", "1", "-kernel", kernel.toString(), "-initrd", initrd.toString(), "-append", "console=ttyS0",
                    "-nodefaults", "-no-user-config", "-nographic", "-S",
                    // The archive is written at exit, by calls the filter refuses; the filter's
                    // classes are trained below without installing it.
                    "-sandbox", "off",
                    "-qmp", "unix:" + qmp + ",server,nowait",
                    "-serial", "unix:" + dir.resolve("serial.sock") + ",server,nowait",
                    "-object", "iothread,id=iothread1",
                    "-device", "pcie-root-port,id=pcie.1,port=0x1,bus=pcie.0,addr=0x1,chassis=1",
                    "-device", "pcie-root-port,id=pcie.2,port=0x2,bus=pcie.0,addr=0x2,chassis=2",
                    "-device", "pcie-root-port,id=pcie.3,port=0x3,bus=pcie.0,addr=0x3,chassis=3",
                    "-device", "pcie-root-port,id=pcie.4,port=0x4,bus=pcie.0,addr=0x4,chassis=4",
                    "-drive", "file=" + disk + ",id=drive-hda,format=raw,if=none,iops=1000",
                    "-device", "virtio-blk-pci,drive=drive-hda,id=hda,bus=pcie.1,addr=0x0,iothread=iothread1",
                    "-device", "virtio-serial-pci,id=virt-serial0,bus=pcie.2,addr=0x0",
                    "-chardev", "socket,id=charconsole0,path=" + dir.resolve("console.sock") + ",server=on,wait=off",
                    "-device", "virtconsole,chardev=charconsole0,id=console0",
                    "-object", "rng-random,id=objrng0,filename=/dev/urandom",
                    "-device", "virtio-rng-pci,rng=objrng0,max-bytes=1234,period=1000,id=rng0,bus=pcie.3,addr=0x0",
                    "-device", "virtio-balloon-pci,id=balloon0,bus=pcie.4,addr=0x0"));
            StartupTrace.mark("paused VM quit with status " + status);
            VmmSyscallFilter.program(ProcessHandle.current().pid(), VmmSyscallFilter.RET_KILL_PROCESS).encode();
        } catch (Exception e) {
            // No usable /dev/kvm here (or no UNIX sockets): the archive is made without it.
            System.err.println("jvmm: the class-data-sharing archive lacks a VM's start: " + e);
        }
    }

    /** What the node agent asks of a VMM over QMP, then quit; the VM ends without having run. */
    private static void quitOverQmp(Path socket) {
        for (int attempt = 0; attempt < 600; attempt++) {
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                channel.write(ByteBuffer.wrap(("{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"query-status\"}\n"
                        + "{\"execute\":\"query-cpus-fast\"}\n{\"execute\":\"quit\"}\n")
                        .getBytes(StandardCharsets.UTF_8)));
                ByteBuffer replies = ByteBuffer.allocate(4096);
                while (channel.read(replies.clear()) > 0) {
                    // until the VMM closes the connection as it quits
                }
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
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
