package io.jvmm.vmm.chardev;

import java.io.OutputStream;

/** -serial none / null: output discarded, no input. */
public final class NullBackend implements CharBackend {
    @Override
    public OutputStream output() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public void connectInput(InputSink sink) {}

    @Override
    public void close() {}
}
