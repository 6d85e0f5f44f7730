package io.jvmm.vmm.chardev;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/** -serial file:PATH: output written to a file (created or truncated), no input. */
public final class FileBackend implements CharBackend {
    private final FileOutputStream out;

    public FileBackend(Path path) throws IOException {
        out = new FileOutputStream(path.toFile());
    }

    @Override
    public OutputStream output() {
        return out;
    }

    @Override
    public void connectInput(InputSink sink) {}

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            // Nothing more can be written anyway.
        }
    }
}
