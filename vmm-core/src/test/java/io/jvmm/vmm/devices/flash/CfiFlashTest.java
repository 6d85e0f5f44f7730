package io.jvmm.vmm.devices.flash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flash unit as OVMF's flash driver drives it, byte by byte, and as a guest could misuse it. */
class CfiFlashTest {
    private static final int SIZE = 4 * CfiFlash.BLOCK_SIZE;
    @TempDir
    Path dir;
    private final List<Boolean> arrayModes = new ArrayList<>();

    private Path image(byte fill) throws Exception {
        byte[] bytes = new byte[SIZE];
        Arrays.fill(bytes, fill);
        bytes[0x10] = 0x5a;
        return Files.write(dir.resolve("vars.fd"), bytes);
    }

    private CfiFlash writable(Path file) throws Exception {
        ByteBuffer contents = ByteBuffer.wrap(Files.readAllBytes(file));
        return new CfiFlash(contents, FileChannel.open(file, StandardOpenOption.WRITE), arrayModes::add);
    }

    private static int read(CfiFlash flash, long offset) {
        byte[] b = new byte[1];
        flash.read(offset, b);
        return b[0] & 0xff;
    }

    private static void write(CfiFlash flash, long offset, int value) {
        flash.write(offset, new byte[] {(byte) value});
    }

    @Test
    void ovmfsDetectionSeesFlashAndLeavesTheByteAsItWas() throws Exception {
        CfiFlash flash = writable(image((byte) 0xff));
        int original = read(flash, 0x10);

        write(flash, 0x10, CfiFlash.CMD_CLEAR_STATUS);
        assertThat(read(flash, 0x10)).as("not RAM: the byte is unchanged").isEqualTo(original);
        write(flash, 0x10, CfiFlash.CMD_READ_STATUS);
        assertThat(read(flash, 0x10)).as("the cleared status, which says flash").isZero();
        write(flash, 0x10, CfiFlash.CMD_READ_ARRAY);
        assertThat(read(flash, 0x10)).isEqualTo(original);
        assertThat(arrayModes).containsExactly(true, false, true);
    }

    @Test
    void programmedBytesAreReadBackAndWrittenThroughToTheFile() throws Exception {
        Path file = image((byte) 0xff);
        CfiFlash flash = writable(file);
        byte[] variable = "Boot0000".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < variable.length; i++) {
            write(flash, 0x2000 + i, CfiFlash.CMD_PROGRAM);
            assertThat(flash.inReadArrayMode()).isFalse();
            write(flash, 0x2000 + i, variable[i]);
            assertThat(read(flash, 0x2000 + i)).as("status while programming").isEqualTo(CfiFlash.STATUS_READY);
        }
        write(flash, 0x2000, CfiFlash.CMD_READ_ARRAY);

        byte[] back = new byte[variable.length];
        flash.read(0x2000, back);
        assertThat(back).isEqualTo(variable);
        assertThat(Arrays.copyOfRange(Files.readAllBytes(file), 0x2000, 0x2000 + variable.length)).isEqualTo(variable);
        assertThat(arrayModes.get(arrayModes.size() - 1)).isTrue();
    }

    @Test
    void aBlockEraseSetsItsBlockOnlyToOnes() throws Exception {
        Path file = image((byte) 0x00);
        CfiFlash flash = writable(file);
        write(flash, CfiFlash.BLOCK_SIZE + 17, CfiFlash.CMD_BLOCK_ERASE);
        write(flash, CfiFlash.BLOCK_SIZE + 17, CfiFlash.CMD_CONFIRM);
        assertThat(read(flash, 0)).isEqualTo(CfiFlash.STATUS_READY);
        write(flash, 0, CfiFlash.CMD_READ_ARRAY);

        byte[] after = Files.readAllBytes(file);
        for (int i = 0; i < SIZE; i++) {
            int expected = i >= CfiFlash.BLOCK_SIZE && i < 2 * CfiFlash.BLOCK_SIZE ? 0xff : (i == 0x10 ? 0x5a : 0);
            assertThat(read(flash, i)).as("byte %d in memory", i).isEqualTo(expected);
            assertThat(after[i] & 0xff).as("byte %d in the file", i).isEqualTo(expected);
        }
    }

    @Test
    void anEraseWithoutItsConfirmationChangesNothingAndSaysSo() throws Exception {
        CfiFlash flash = writable(image((byte) 0x00));
        write(flash, 0, CfiFlash.CMD_BLOCK_ERASE);
        write(flash, 0, 0x12);
        assertThat(read(flash, 0) & (CfiFlash.STATUS_ERASE_ERROR | CfiFlash.STATUS_PROGRAM_ERROR))
            .isEqualTo(CfiFlash.STATUS_ERASE_ERROR | CfiFlash.STATUS_PROGRAM_ERROR);
        write(flash, 0, CfiFlash.CMD_CLEAR_STATUS);
        write(flash, 0, CfiFlash.CMD_READ_STATUS);
        assertThat(read(flash, 0)).isZero();
        write(flash, 0, CfiFlash.CMD_READ_ARRAY);
        assertThat(read(flash, 1)).isZero();
    }

    @Test
    void aReadOnlyUnitRefusesProgramAndEraseWithTheErrorBits() throws Exception {
        byte[] code = new byte[SIZE];
        Arrays.fill(code, (byte) 0xc3);
        CfiFlash flash = new CfiFlash(ByteBuffer.wrap(code), null, arrayModes::add);
        write(flash, 8, CfiFlash.CMD_PROGRAM);
        write(flash, 8, 0x00);
        assertThat(read(flash, 8)).isEqualTo(CfiFlash.STATUS_READY | CfiFlash.STATUS_PROGRAM_ERROR);
        write(flash, 8, CfiFlash.CMD_BLOCK_ERASE);
        write(flash, 8, CfiFlash.CMD_CONFIRM);
        assertThat(read(flash, 8) & CfiFlash.STATUS_ERASE_ERROR).isNotZero();
        write(flash, 8, CfiFlash.CMD_READ_ARRAY);
        assertThat(read(flash, 8)).isEqualTo(0xc3);
        assertThat(code).containsOnly((byte) 0xc3);
    }

    @Test
    void unknownCommandsAndWritesPastTheEndLeaveTheUnitReadingItsArray() throws Exception {
        CfiFlash flash = writable(image((byte) 0x11));
        write(flash, 0, 0x98); // CFI query: not emulated
        assertThat(flash.inReadArrayMode()).isTrue();
        assertThat(read(flash, 0)).isEqualTo(0x11);
        flash.write(SIZE - 1, new byte[] {CfiFlash.CMD_PROGRAM, 0});
        flash.write(SIZE, new byte[] {CfiFlash.CMD_PROGRAM});
        flash.write(-1, new byte[] {CfiFlash.CMD_PROGRAM});
        assertThat(flash.inReadArrayMode()).isTrue();
    }

    @Test
    void aFileThatCannotBeWrittenFailsTheProgramButNotTheVmm() throws Exception {
        Path file = image((byte) 0xff);
        ByteBuffer contents = ByteBuffer.wrap(Files.readAllBytes(file));
        FileChannel gone = FileChannel.open(file, StandardOpenOption.WRITE);
        gone.close(); // writes now fail as an I/O error would
        CfiFlash flash = new CfiFlash(contents, gone, arrayModes::add);
        write(flash, 3, CfiFlash.CMD_PROGRAM);
        write(flash, 3, 0x42);
        assertThat(read(flash, 3) & CfiFlash.STATUS_PROGRAM_ERROR).isNotZero();
        write(flash, 3, CfiFlash.CMD_READ_ARRAY);
        assertThat(read(flash, 3)).as("kept in memory").isEqualTo(0x42);
        assertThat(Files.readAllBytes(file)[3] & 0xff).isEqualTo(0xff);
    }

    @Test
    void aUnitIsWholeBlocks() {
        assertThatThrownBy(() -> new CfiFlash(ByteBuffer.allocate(CfiFlash.BLOCK_SIZE + 1), null, on -> { }))
            .hasMessageContaining("whole number of 4096-byte blocks");
    }
}
