package io.jvmm.vmm.chardev;

import io.jvmm.vmm.kvm.LibC;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import jnr.ffi.Pointer;

/**
 * -serial stdio: the VMM's own standard output and input, unbuffered so markers appear at once.
 * On a terminal, input goes to the guest a key at a time without local echo (the guest echoes),
 * as QEMU does; Ctrl-C still ends the VMM, and the terminal's settings are restored at exit.
 * The terminal is set with the TCGETS and TCSETS ioctls, not stty: at exit jvmm runs under its
 * system call filter, which kills a process that starts another.
 */
public final class StdioBackend implements CharBackend {
    /** The kernel's struct termios on x86_64: four flag words, c_line, c_cc[19]. */
    private static final int TERMIOS_SIZE = 36, IFLAG = 0, LFLAG = 12, CC = 17, VTIME = 5, VMIN = 6;
    private static final int ICRNL = 0x100, ICANON = 0x2, ECHO = 0x8;
    private static final long TCGETS = 0x5401, TCSETS = 0x5402;
    private static final int STDIN = 0;
    private final OutputStream out = new FileOutputStream(FileDescriptor.out);
    private Pointer savedTerminal;

    @Override
    public OutputStream output() {
        return out;
    }

    @Override
    public void connectInput(InputSink sink) {
        if (System.console() != null) {
            Pointer saved = LibC.allocate(TERMIOS_SIZE);
            if (LibC.ioctlWith(STDIN, TCGETS, saved) == 0) {
                Pointer raw = LibC.allocate(TERMIOS_SIZE);
                byte[] copy = new byte[TERMIOS_SIZE];
                saved.get(0, copy, 0, TERMIOS_SIZE);
                raw.put(0, copy, 0, TERMIOS_SIZE);
                raw.putInt(IFLAG, raw.getInt(IFLAG) & ~ICRNL);
                raw.putInt(LFLAG, raw.getInt(LFLAG) & ~(ICANON | ECHO));
                raw.putByte(CC + VMIN, (byte) 1);
                raw.putByte(CC + VTIME, (byte) 0);
                if (LibC.ioctlWith(STDIN, TCSETS, raw) == 0) {
                    savedTerminal = saved;
                }
            }
        }
        CharBackend.pump("serial-stdin", new FileInputStream(FileDescriptor.in), sink);
    }

    @Override
    public void close() {
        if (savedTerminal != null) {
            LibC.ioctlWith(STDIN, TCSETS, savedTerminal);
            savedTerminal = null;
        }
    }
}
