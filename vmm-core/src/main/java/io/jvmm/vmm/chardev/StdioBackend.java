package io.jvmm.vmm.chardev;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * -serial stdio: the VMM's own standard output and input, unbuffered so markers appear at once.
 * On a terminal, input goes to the guest a key at a time without local echo (the guest echoes),
 * as QEMU does; Ctrl-C still ends the VMM, and the terminal's settings are restored at exit.
 */
public final class StdioBackend implements CharBackend {
    private final OutputStream out = new FileOutputStream(FileDescriptor.out);
    private String savedTerminal;

    @Override
    public OutputStream output() {
        return out;
    }

    @Override
    public void connectInput(InputSink sink) {
        if (System.console() != null) {
            savedTerminal = stty("-g");
            if (savedTerminal != null) {
                stty("-icanon", "-echo", "-icrnl", "min", "1", "time", "0");
            }
        }
        CharBackend.pump("serial-stdin", new FileInputStream(FileDescriptor.in), sink);
    }

    @Override
    public void close() {
        if (savedTerminal != null) {
            stty(savedTerminal);
            savedTerminal = null;
        }
    }

    /** Runs stty on our terminal; returns its output, or null if it failed. */
    private static String stty(String... args) {
        List<String> command = new ArrayList<>(List.of("stty"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return p.waitFor() == 0 ? output : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
