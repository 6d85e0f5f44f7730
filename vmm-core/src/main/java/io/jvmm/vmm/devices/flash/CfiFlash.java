package io.jvmm.vmm.devices.flash;

import io.jvmm.vmm.bus.BusDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One unit of parallel NOR flash with the Intel/Sharp command set (CFI command set 1), as QEMU's
 * pflash_cfi01 emulates it for the x86 machines' firmware: OVMF's code in one unit, its UEFI
 * variables in another. What OVMF's flash driver (OvmfPkg QemuFlashFvbServicesRuntimeDxe) uses:
 * byte program (0x10 or 0x40, then the data), block erase (0x20, then 0xD0 to confirm), clear
 * status (0x50), read status (0x70) and read array (0xFF); the detection it runs first writes
 * 0x50 and reads the byte back unchanged, then writes 0x70 and reads the cleared status 0x00.
 *
 * <p>In read-array mode the guest reads the contents straight from memory (the machine maps
 * them read-only into the guest, so that code runs from flash and reads cost no exit); a write
 * is always an exit to here. A command other than read array takes the unit out of that mode,
 * and the machine unmaps it ({@link ArrayMode}) so that the guest's reads of status come here.
 * Programmed and erased bytes go to the contents and, for a writable unit, through to its file.
 */
public final class CfiFlash implements BusDevice {
    /** Erase block of the x86 machines' flash, as QEMU's. */
    public static final int BLOCK_SIZE = 4096;

    static final int CMD_READ_ARRAY = 0xff, CMD_READ_ARRAY_ALT = 0x00;
    static final int CMD_PROGRAM = 0x10, CMD_PROGRAM_ALT = 0x40;
    static final int CMD_BLOCK_ERASE = 0x20, CMD_CONFIRM = 0xd0;
    static final int CMD_CLEAR_STATUS = 0x50, CMD_READ_STATUS = 0x70;
    /** Status register: ready, and the error bits a refused program or erase sets. */
    static final int STATUS_READY = 0x80, STATUS_ERASE_ERROR = 0x20, STATUS_PROGRAM_ERROR = 0x10;

    /** Told when reads must come to the device (false) and when memory may serve them (true). */
    public interface ArrayMode {
        void readArray(boolean on);
    }

    private enum State { READ_ARRAY, READ_STATUS, PROGRAM, ERASE_SETUP }

    private final ByteBuffer contents;
    private final FileChannel file;
    private final ArrayMode arrayMode;
    private State state = State.READ_ARRAY;
    private int status;
    private boolean writeFailureSaid;

    /**
     * A unit over {@code contents} (its whole capacity, a multiple of {@link #BLOCK_SIZE}); with
     * {@code file} null it is read-only (programs and erases fail with the error bits set, as
     * with readonly=on), else what the guest changes is written to the file at the same offset.
     */
    public CfiFlash(ByteBuffer contents, FileChannel file, ArrayMode arrayMode) {
        if (contents.capacity() == 0 || contents.capacity() % BLOCK_SIZE != 0) {
            throw new IllegalArgumentException("a flash unit is a whole number of " + BLOCK_SIZE + "-byte blocks, not "
                + contents.capacity() + " bytes");
        }
        this.contents = contents.duplicate().clear();
        this.file = file;
        this.arrayMode = arrayMode;
    }

    public int size() {
        return contents.capacity();
    }

    public synchronized boolean inReadArrayMode() {
        return state == State.READ_ARRAY;
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        if (state == State.READ_ARRAY) {
            for (int i = 0; i < data.length; i++) {
                long at = offset + i;
                data[i] = at < size() ? contents.get((int) at) : (byte) 0xff;
            }
            return;
        }
        // Any other mode reads the status register, in every byte of the access (QEMU's cfi01).
        java.util.Arrays.fill(data, (byte) status);
    }

    @Override
    public synchronized void write(long offset, byte[] data) {
        if (offset < 0 || offset + data.length > size()) {
            return; // outside the unit: nothing there to write
        }
        int value = data[0] & 0xff;
        switch (state) {
            case PROGRAM -> {
                program((int) offset, data);
                state = State.READ_STATUS;
            }
            case ERASE_SETUP -> {
                if (value == CMD_CONFIRM) {
                    erase((int) offset);
                } else {
                    status |= STATUS_ERASE_ERROR | STATUS_PROGRAM_ERROR; // a bad command sequence
                }
                state = State.READ_STATUS;
            }
            default -> command(value);
        }
        arrayMode.readArray(state == State.READ_ARRAY);
    }

    private void command(int value) {
        switch (value) {
            case CMD_READ_ARRAY, CMD_READ_ARRAY_ALT -> state = State.READ_ARRAY;
            case CMD_PROGRAM, CMD_PROGRAM_ALT -> state = State.PROGRAM;
            case CMD_BLOCK_ERASE -> state = State.ERASE_SETUP;
            // Clearing the status leaves the unit reading its array, as QEMU's cfi01 does and
            // OVMF's detection expects: the byte it probes reads back unchanged.
            case CMD_CLEAR_STATUS -> {
                status = 0;
                state = State.READ_ARRAY;
            }
            case CMD_READ_STATUS -> state = State.READ_STATUS;
            // Unknown commands (device id, CFI query, lock bits) are not emulated: back to reading.
            default -> state = State.READ_ARRAY;
        }
    }

    private void program(int offset, byte[] data) {
        if (file == null) {
            status |= STATUS_PROGRAM_ERROR | STATUS_READY;
            return;
        }
        for (int i = 0; i < data.length; i++) {
            contents.put(offset + i, data[i]);
        }
        persist(offset, data.length);
        status |= STATUS_READY;
    }

    private void erase(int offset) {
        if (file == null) {
            status |= STATUS_ERASE_ERROR | STATUS_READY;
            return;
        }
        int block = offset - offset % BLOCK_SIZE;
        for (int i = 0; i < BLOCK_SIZE; i++) {
            contents.put(block + i, (byte) 0xff);
        }
        persist(block, BLOCK_SIZE);
        status |= STATUS_READY;
    }

    /**
     * The changed bytes to the unit's file: the variable store outlives the VMM. A file that
     * cannot be written fails the program or erase as worn-out flash would (the error bits), and
     * is said on stderr once: the guest goes on with what it has in memory.
     */
    private void persist(int offset, int length) {
        ByteBuffer changed = contents.duplicate().position(offset).limit(offset + length);
        try {
            while (changed.hasRemaining()) {
                file.write(changed, changed.position());
            }
        } catch (IOException e) {
            status |= STATUS_PROGRAM_ERROR | STATUS_ERASE_ERROR;
            if (!writeFailureSaid) {
                writeFailureSaid = true;
                System.err.println("jvmm: cannot write the flash file: " + e.getMessage()
                    + "; the guest's changes to it are kept in memory only");
            }
        }
    }
}
