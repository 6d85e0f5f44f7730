package io.jvmm.vmm.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.vmm.kvm.CpuidEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestCpuidTest {
    private static final List<CpuidEntry> HOST = List.of(
            new CpuidEntry(0x1, 0, 0, 0x806f8, 0x00100800, 0x7ed8320b, 0x178bfbff),
            new CpuidEntry(0xb, 0, 1, 1, 2, 0x100, 7),
            new CpuidEntry(0xb, 1, 1, 4, 16, 0x201, 7),
            new CpuidEntry(0x40000000, 0, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d));

    private static CpuidEntry find(List<CpuidEntry> l, int f, int i) {
        return l.stream().filter(e -> e.function() == f && e.index() == i).findFirst().orElseThrow();
    }

    @Test
    void eachVcpuGetsItsApicIdAndTheMachinesTopology() {
        List<CpuidEntry> c = GuestCpuid.forVcpu(HOST, 3, 4);
        assertThat(find(c, 1, 0).ebx() >>> 24).isEqualTo(3);
        assertThat((find(c, 1, 0).ebx() >> 16) & 0xff).isEqualTo(4);
        assertThat(find(c, 1, 0).ecx() & (1 << 31)).as("hypervisor bit").isNotZero();
        assertThat(find(c, 0xb, 0).edx()).isEqualTo(3);
        assertThat(find(c, 0xb, 1).ebx()).isEqualTo(4);
        assertThat(find(c, 0xb, 1).eax()).isEqualTo(2);
        assertThat(find(c, 0xb, 2).ecx()).isEqualTo(2);
        assertThat(find(c, 0x40000000, 0).ebx()).isEqualTo(0x4b4d564b);
    }

    @Test
    void apicIdBits() {
        assertThat(GuestCpuid.bitsFor(1)).isZero();
        assertThat(GuestCpuid.bitsFor(2)).isEqualTo(1);
        assertThat(GuestCpuid.bitsFor(5)).isEqualTo(3);
        assertThat(GuestCpuid.bitsFor(8)).isEqualTo(3);
    }
}
