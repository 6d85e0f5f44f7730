package io.jvmm.vmm.arch.x86_64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BzImageTest {
    private static final Path NAME = Path.of("vmlinuz");

    @Test
    void readsTheSetupHeader() throws BootException {
        byte[] f = FakeBzImage.bytes(40L << 20);
        BzImage k = BzImage.parse(NAME, f, f.length);
        assertThat(k.version()).isEqualTo(0x020f);
        assertThat(k.kernelOffset()).isEqualTo(2 * 512);
        assertThat(k.kernelSize()).isEqualTo(f.length - 1024);
        assertThat(k.initSize()).isEqualTo(40L << 20);
        assertThat(k.cmdlineSize()).isEqualTo(2048);
        assertThat(k.setupHeader()).hasSize(0x268 - 0x1f1);
    }

    @Test
    void refusesWhatIsNotABzImage() {
        byte[] f = FakeBzImage.bytes(1 << 20);
        f[0x1fe] = 0;
        assertThatThrownBy(() -> BzImage.parse(NAME, f, f.length)).hasMessageContaining("0xAA55");
        byte[] g = FakeBzImage.bytes(1 << 20);
        g[0x202] = 'X';
        assertThatThrownBy(() -> BzImage.parse(NAME, g, g.length)).hasMessageContaining("HdrS");
        byte[] h = FakeBzImage.bytes(1 << 20);
        h[0x236] = 0;
        assertThatThrownBy(() -> BzImage.parse(NAME, h, h.length)).hasMessageContaining("64-bit");
        byte[] old = FakeBzImage.bytes(1 << 20);
        old[0x206] = 0x02;
        old[0x207] = 0x02;
        assertThatThrownBy(() -> BzImage.parse(NAME, old, old.length)).hasMessageContaining("2.02");
    }

    @Test
    void zeroPageCarriesHeaderCmdlineInitrdAndE820() throws BootException {
        byte[] f = FakeBzImage.bytes(1 << 20);
        ZeroPage z = new ZeroPage(BzImage.parse(NAME, f, f.length)).commandLine(0x20000).ramdisk(0x7f000000L, 0x123456)
                .e820(E820Map.forRam(256L << 20)).acpiRsdp(0xe0000);
        byte[] p = z.bytes();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(p).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0x202)).isEqualTo(0x53726448);
        assertThat(p[0x210] & 0xff).isEqualTo(0xff);
        assertThat(b.getInt(0x228)).isEqualTo(0x20000);
        assertThat(b.getInt(0x218)).isEqualTo(0x7f000000);
        assertThat(b.getInt(0x21c)).isEqualTo(0x123456);
        assertThat(b.getLong(0x70)).isEqualTo(0xe0000);
        assertThat(p[0x1e8]).isEqualTo((byte) E820Map.forRam(256L << 20).size());
    }
}
