package io.jvmm.vmm.arch.x86_64;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class E820MapTest {
    private static long ram(List<E820Map.Entry> map) {
        return map.stream().filter(e -> e.type() == E820Map.RAM).mapToLong(E820Map.Entry::size).sum();
    }

    @Test
    void smallMachineHasAllRamBelowTheHole() {
        List<E820Map.Entry> map = E820Map.forRam(256L << 20);
        assertThat(map).contains(new E820Map.Entry(0x100000, (256L << 20) - 0x100000, E820Map.RAM));
        assertThat(map).noneMatch(e -> e.type() == E820Map.RAM && e.address() >= Layout.HIGH_RAM_START);
        assertThat(ram(map)).isEqualTo((256L << 20) - (0x100000 - Layout.EBDA_START));
    }

    @Test
    void largeMachineContinuesAbove4GiB() {
        List<E820Map.Entry> map = E820Map.forRam(4L << 30);
        assertThat(map).contains(new E820Map.Entry(Layout.HIGH_RAM_START, (4L << 30) - Layout.LOW_RAM_MAX_END, E820Map.RAM));
        assertThat(map).contains(new E820Map.Entry(Layout.PCIE_ECAM, Layout.PCIE_ECAM_SIZE, E820Map.RESERVED));
        // No RAM entry overlaps the 32-bit hole.
        assertThat(map).noneMatch(e -> e.type() == E820Map.RAM && e.address() < Layout.HIGH_RAM_START
                && e.address() + e.size() > Layout.LOW_RAM_MAX_END);
    }

    @Test
    void tooLittleMemoryForKernelAndInitrdIsRefused() throws Exception {
        byte[] f = FakeBzImage.bytes(64L << 20);
        BzImage k = BzImage.parse(java.nio.file.Path.of("k"), f, f.length);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DirectKernelBoot(k, null, "", 48L << 20))
                .hasMessageContaining("-m 48M is too small").hasMessageContaining("at least 96 MiB");
        new DirectKernelBoot(k, null, "", 128L << 20);
    }
}
