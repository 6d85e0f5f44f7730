package io.jvmm.vmm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

class GuestMemoryTest {
    private final GuestMemory memory = new GuestMemory(List.of(
            new GuestRegion(0, 0x10000, Memory.allocateDirect(Runtime.getSystemRuntime(), 0x10000)),
            new GuestRegion(0x100000000L, 0x1000, Memory.allocateDirect(Runtime.getSystemRuntime(), 0x1000))));

    @Test
    void readsBackWhatWasWrittenInEachRegion() {
        memory.writeLong(0x100, 0x1122334455667788L);
        memory.writeInt(0x100000ffcL, 0xcafebabe);
        assertThat(memory.readLong(0x100)).isEqualTo(0x1122334455667788L);
        assertThat(memory.readInt(0x100000ffcL)).isEqualTo(0xcafebabe);
        assertThat(memory.size()).isEqualTo(0x11000);
    }

    @Test
    void refusesAccessesOutsideRam() {
        assertThatThrownBy(() -> memory.readByte(0x10000)).isInstanceOf(GuestMemoryException.class);
        assertThatThrownBy(() -> memory.readLong(0xfffc)).isInstanceOf(GuestMemoryException.class);
        assertThatThrownBy(() -> memory.readByte(-1)).isInstanceOf(GuestMemoryException.class);
        assertThatThrownBy(() -> memory.read(0x8000, new byte[16], 0, Integer.MAX_VALUE)).isInstanceOf(GuestMemoryException.class);
        assertThatThrownBy(() -> memory.write(Long.MAX_VALUE - 2, new byte[8])).isInstanceOf(GuestMemoryException.class);
        assertThatThrownBy(() -> memory.write(0x100000fffL, new byte[2])).isInstanceOf(GuestMemoryException.class);
        assertThat(memory.isRam(0xfff0, 0x10)).isTrue();
        assertThat(memory.isRam(0xfff0, 0x11)).isFalse();
    }
}
