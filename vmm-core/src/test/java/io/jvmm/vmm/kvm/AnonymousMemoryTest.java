package io.jvmm.vmm.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnonymousMemoryTest {
    @Test
    void guestRamStartsOnAHugePageBoundaryAndIsAdvisedForHugePages() throws IOException {
        long size = 5L << 20;
        try (AnonymousMemory m = AnonymousMemory.map(size)) {
            assertThat(m.address() % AnonymousMemory.HUGE_PAGE).isZero();
            m.pointer().putLong(0, 0x1122334455667788L);
            m.pointer().putLong(size - 8, -1L);
            assertThat(m.pointer().getLong(0)).isEqualTo(0x1122334455667788L);
            assertThat(m.pointer().getLong(size - 8)).isEqualTo(-1L);

            List<String> mapping = smapsEntry(m.address());
            assertThat(mapping.get(0)).as("the mapping is exactly the RAM asked for, the slack given back")
                    .startsWith(Long.toHexString(m.address()) + "-" + Long.toHexString(m.address() + size) + " ");
            String flags = mapping.stream().filter(l -> l.startsWith("VmFlags:")).findFirst().orElseThrow();
            assertThat(flags).as("MADV_DONTDUMP").contains(" dd");
            if (Files.isDirectory(Path.of("/sys/kernel/mm/transparent_hugepage"))) {
                assertThat(flags).as("MADV_HUGEPAGE, on a kernel with transparent huge pages").contains(" hg");
            }
        }
    }

    @Test
    void alignUpRoundsToTheNextBoundaryOnlyWhenNeeded() {
        long huge = AnonymousMemory.HUGE_PAGE;
        assertThat(AnonymousMemory.alignUp(0, huge)).isZero();
        assertThat(AnonymousMemory.alignUp(huge, huge)).isEqualTo(huge);
        assertThat(AnonymousMemory.alignUp(huge + 4096, huge)).isEqualTo(2 * huge);
        assertThat(AnonymousMemory.alignUp(0x7f00_0000_1000L, huge)).isEqualTo(0x7f00_0020_0000L);
    }

    /** The lines of /proc/self/smaps that describe the mapping starting at address. */
    private static List<String> smapsEntry(long address) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        String start = Long.toHexString(address) + "-";
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                    end++;
                }
                return lines.subList(i, end);
            }
        }
        throw new AssertionError("no mapping at 0x" + Long.toHexString(address) + " in /proc/self/smaps");
    }
}
