package io.jvmm.vmm.virtio.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.vmm.host.TapDevice;
import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.memory.GuestRegion;
import io.jvmm.vmm.virtio.DescriptorChain.Segment;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

class VirtioNetTest {

    @Test
    void tapOffloadsFollowWhatTheGuestAccepted() {
        assertThat(VirtioNet.tapOffloads(0)).isZero();
        // Segmentation without checksum offload is refused by the kernel: never asked for.
        assertThat(VirtioNet.tapOffloads(VirtioNet.GUEST_TSO4 | VirtioNet.GUEST_TSO6)).isZero();
        assertThat(VirtioNet.tapOffloads(VirtioNet.GUEST_CSUM)).isEqualTo(TapDevice.TUN_F_CSUM);
        assertThat(VirtioNet.tapOffloads(VirtioNet.GUEST_CSUM | VirtioNet.GUEST_TSO4))
                .isEqualTo(TapDevice.TUN_F_CSUM | TapDevice.TUN_F_TSO4);
        assertThat(VirtioNet.tapOffloads(VirtioNet.GUEST_CSUM | VirtioNet.GUEST_TSO4 | VirtioNet.GUEST_TSO6 | VirtioNet.GUEST_ECN))
                .isEqualTo(TapDevice.TUN_F_CSUM | TapDevice.TUN_F_TSO4 | TapDevice.TUN_F_TSO6 | TapDevice.TUN_F_TSO_ECN);
        // ECN alone means nothing without segmentation.
        assertThat(VirtioNet.tapOffloads(VirtioNet.GUEST_CSUM | VirtioNet.GUEST_ECN)).isEqualTo(TapDevice.TUN_F_CSUM);
        // Host-side offloads (what the guest may send) need no tap setting.
        assertThat(VirtioNet.tapOffloads(VirtioNet.CSUM | VirtioNet.HOST_TSO4 | VirtioNet.HOST_TSO6)).isZero();
    }

    @Test
    void receiveBuffersMustHoldA64KiBFrameOnlyWhenTheGuestTakesSegments() {
        assertThat(VirtioNet.maxFrame(VirtioNet.GUEST_CSUM)).isEqualTo(12 + 1514 + 4);
        assertThat(VirtioNet.maxFrame(VirtioNet.GUEST_CSUM | VirtioNet.GUEST_TSO6)).isGreaterThanOrEqualTo(12 + 65535 + 14);
    }

    @Test
    void offersChecksumSegmentationMergedBuffersMacAndStatus() {
        long f = new VirtioNet("net0", null, null, new byte[6]).features();
        for (long bit : new long[] {VirtioNet.CSUM, VirtioNet.GUEST_CSUM, VirtioNet.MAC, VirtioNet.STATUS, VirtioNet.MRG_RXBUF,
                VirtioNet.GUEST_TSO4, VirtioNet.GUEST_TSO6, VirtioNet.HOST_TSO4, VirtioNet.HOST_TSO6}) {
            assertThat(f & bit).as("bit %d", Long.numberOfTrailingZeros(bit)).isNotZero();
        }
        assertThat(f & VirtioNet.GUEST_UFO).isZero();
    }

    @Test
    void configHoldsTheMacFromTheCommandLineAndLinkUp() {
        byte[] mac = {0x52, 0x54, 0x00, 0x6a, 0x76, 0x01};
        VirtioNet net = new VirtioNet("net0", null, null, mac);
        byte[] six = new byte[6];
        net.readConfig(0, six);
        assertThat(six).containsExactly(mac);
        byte[] status = new byte[2];
        net.readConfig(6, status);
        assertThat(status).containsExactly(1, 0);
        byte[] pairs = new byte[2];
        net.readConfig(8, pairs);
        assertThat(pairs).containsExactly(1, 0);
        byte[] beyond = {9, 9, 9, 9};
        net.readConfig(10, beyond);
        assertThat(beyond).containsOnly(0);
        assertThatThrownBy(() -> VirtioNet.config(new byte[5])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void numBuffersIsWrittenLittleEndianAcrossSegments() {
        GuestMemory memory = new GuestMemory(List.of(new GuestRegion(0, 4096,
                Memory.allocateDirect(Runtime.getSystemRuntime(), 4096, true))));
        // The header split after byte 10: num_buffers straddles two buffers.
        List<Segment> segments = List.of(new Segment(100, 11), new Segment(200, 100));
        VirtioNet.putShort(memory, segments, VirtioNet.NUM_BUFFERS_OFFSET, 0x0203);
        assertThat(memory.readByte(110)).isEqualTo((byte) 0x03);
        assertThat(memory.readByte(200)).isEqualTo((byte) 0x02);
        VirtioNet.putShort(memory, List.of(new Segment(300, 12)), VirtioNet.NUM_BUFFERS_OFFSET, 7);
        assertThat(memory.readShort(310)).isEqualTo((short) 7);
    }
}
