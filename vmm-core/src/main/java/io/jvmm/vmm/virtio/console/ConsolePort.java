package io.jvmm.vmm.virtio.console;

import io.jvmm.vmm.chardev.CharBackend;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The host end of a virtio console port: a chardev backend (pty, socket, file) that outlives
 * guest reboots, and the input the host typed that the guest has not taken yet. Input beyond
 * {@link #MAX_PENDING} bytes waits in the backend's thread: a guest that stops reading slows
 * its console writer down instead of growing the VMM's memory.
 */
public final class ConsolePort implements AutoCloseable {
    static final int MAX_PENDING = 64 * 1024;
    private final CharBackend backend;
    private final byte[] pending = new byte[MAX_PENDING];
    private int start, length;
    private volatile Runnable inputListener = () -> { };

    public ConsolePort(CharBackend backend) {
        this.backend = backend;
        backend.connectInput(this::receive);
    }

    private void receive(byte[] data, int n) {
        int off = 0;
        synchronized (this) {
            while (off < n) {
                while (length == MAX_PENDING) {
                    try {
                        wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                int chunk = Math.min(n - off, MAX_PENDING - length);
                for (int i = 0; i < chunk; i++) {
                    pending[(start + length + i) % MAX_PENDING] = data[off + i];
                }
                length += chunk;
                off += chunk;
            }
        }
        inputListener.run();
    }

    /** Who to tell when input arrives (the active device's loop). */
    void onInput(Runnable listener) {
        this.inputListener = listener;
    }

    /** Takes up to {@code max} bytes of pending input. */
    synchronized byte[] take(int max) {
        int n = Math.min(max, length);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = pending[(start + i) % MAX_PENDING];
        }
        start = (start + n) % MAX_PENDING;
        length -= n;
        notifyAll();
        return out;
    }

    synchronized boolean hasInput() {
        return length > 0;
    }

    void write(byte[] data) {
        try {
            backend.output().write(data);
            backend.output().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        backend.close();
    }
}
