package io.jvmm.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GuestReportTest {

    @Test
    void readsMarkersAndRepeatedFactsThroughTerminalNoise() {
        String console = String.join("\r\n",
                "\u001b[2JSeaBIOS", "\u001b[?7lJVMM-GUEST-START", "JVMM-GUEST-FACTS-BEGIN",
                "cpus_online=4", "memtotal_kb=2013000",
                "pci=0000:00:00.0 vendor=0x8086 device=0x29c0 class=0x060000 driver=none",
                "pci=0000:01:00.0 vendor=0x1af4 device=0x1042 class=0x010000 driver=virtio-pci",
                "JVMM-GUEST-FACTS-END", "JVMM-GUEST-READY", "[    2.5] reboot: Power down");

        GuestReport report = GuestReport.parse(console);

        assertThat(report.started()).isTrue();
        assertThat(report.ready()).isTrue();
        assertThat(report.cpusOnline()).isEqualTo(4);
        assertThat(report.memTotalKiB()).isEqualTo(2013000L);
        assertThat(report.all("pci")).hasSize(2).last().asString().contains("driver=virtio-pci");
    }

    @Test
    void aGuestThatNeverStartedSaysSo() {
        GuestReport report = GuestReport.parse("Kernel panic - not syncing: VFS");

        assertThat(report.started()).isFalse();
        assertThat(report.ready()).isFalse();
        assertThatThrownBy(report::cpusOnline).hasMessageContaining("cpus_online");
    }

    @Test
    void factsOutsideTheBlockAreIgnored() {
        GuestReport report = GuestReport.parse("cpus_online=9\nJVMM-GUEST-FACTS-BEGIN\ncpus_online=1\nJVMM-GUEST-FACTS-END\n");

        assertThat(report.all("cpus_online")).containsExactly("1");
    }
}
