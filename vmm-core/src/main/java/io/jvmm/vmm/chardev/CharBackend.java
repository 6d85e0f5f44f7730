package io.jvmm.vmm.chardev;

import java.io.OutputStream;

/**
 * The host end of a serial port: where the guest's output goes and where its input comes from
 * (QEMU's "chardev"). Output never blocks the guest for long and never fails it: a backend with
 * no reader drops bytes.
 */
public interface CharBackend extends AutoCloseable {
    OutputStream output();

    /** Starts delivering host input to {@code sink}; backends without input ignore this. */
    void connectInput(InputSink sink);

    @Override
    void close();

    /** Receives input bytes from the host side. */
    interface InputSink {
        void receive(byte[] data, int length);
    }

    /** Starts a daemon thread named {@code name} that pumps {@code in} into {@code sink} until EOF. */
    static Thread pump(String name, java.io.InputStream in, InputSink sink) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    sink.receive(buf, n);
                }
            } catch (java.io.IOException e) {
                // The host side went away: the guest simply gets no more input.
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
