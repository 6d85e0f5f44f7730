package io.jvmm.vmm.chardev;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;

/** -serial stdio: the VMM's own standard output and input, unbuffered so markers appear at once. */
public final class StdioBackend implements CharBackend {
    private final OutputStream out = new FileOutputStream(FileDescriptor.out);

    @Override
    public OutputStream output() {
        return out;
    }

    @Override
    public void connectInput(InputSink sink) {
        CharBackend.pump("serial-stdin", new FileInputStream(FileDescriptor.in), sink);
    }

    @Override
    public void close() {}
}
