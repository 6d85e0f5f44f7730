package io.jvmm.vmm;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.vmm.arch.x86_64.E820Map;
import io.jvmm.vmm.arch.x86_64.acpi.AcpiTables;
import io.jvmm.vmm.cli.CommandLine;
import io.jvmm.vmm.cli.OptionException;
import io.jvmm.vmm.kvm.Kvm;
import java.util.List;

/**
 * The training run for jvmm's class-data-sharing archive (bin/jvmm --build-cds-archive): loads
 * the classes a boot loads, without KVM, so that the JVM can store them parsed and verified.
 * Under nested virtualisation JVM start-up is most of jvmm's time to the guest's first
 * instruction; the archive roughly halves it.
 */
final class CdsTraining {
    private CdsTraining() {}

    public static void main(String[] args) throws OptionException {
        CommandLine.parse(List.of("-machine", "q35,accel=kvm", "-m", "256M", "-smp", "2", "-kernel", "/vmlinuz",
                "-initrd", "/initrd", "-append", "console=ttyS0", "-serial", "stdio",
                "-qmp", "unix:/tmp/q,server,nowait", "-nodefaults", "-no-reboot"));
        AcpiTables.build(2, 256L << 20);
        E820Map.forRam(256L << 20);
        Kvm.loadLibrary();
        new ObjectMapper().createObjectNode().put("return", 1).toString();
        StartupTrace.mark("training");
    }
}
