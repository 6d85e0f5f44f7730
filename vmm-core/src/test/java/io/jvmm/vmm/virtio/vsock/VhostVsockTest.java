package io.jvmm.vmm.virtio.vsock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VhostVsockTest {

    @Test
    void configIsTheGuestCidAs64BitLittleEndian() {
        assertThat(VhostVsock.config(3)).containsExactly(3, 0, 0, 0, 0, 0, 0, 0);
        assertThat(VhostVsock.config(0x1_0000_0102L)).containsExactly(2, 1, 0, 0, 1, 0, 0, 0);
    }
}
