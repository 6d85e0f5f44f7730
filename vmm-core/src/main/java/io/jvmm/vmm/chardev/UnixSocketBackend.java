package io.jvmm.vmm.chardev;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * -serial unix:PATH,server,nowait: a listening UNIX socket; one client at a time is the
 * console, later clients take over when it leaves. Output with no client is dropped, as QEMU
 * does with nowait.
 */
public final class UnixSocketBackend implements CharBackend {
    private final Path path;
    private final ServerSocketChannel server;
    private volatile SocketChannel client;
    private volatile InputSink sink;

    public UnixSocketBackend(Path path) throws IOException {
        this.path = path;
        server = ListeningSocket.open(path);
        Thread t = new Thread(this::acceptLoop, "serial-socket");
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                client = c;
                ByteBuffer buf = ByteBuffer.allocate(256);
                while (c.read(buf.clear()) > 0) {
                    // Read the sink for each chunk: a client may connect (the node agent does, as
                    // soon as the socket exists) before the VM has connected its input.
                    InputSink s = sink;
                    if (s != null) {
                        s.receive(buf.array(), buf.position());
                    }
                }
                c.close();
            } catch (IOException e) {
                // Client gone, or the server closed: wait for the next client, or leave.
            }
        }
    }

    @Override
    public OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                SocketChannel c = client;
                if (c == null) {
                    return;
                }
                try {
                    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                    while (buf.hasRemaining()) {
                        c.write(buf);
                    }
                } catch (IOException e) {
                    client = null;
                }
            }
        };
    }

    @Override
    public void connectInput(InputSink sink) {
        this.sink = sink;
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Best effort at exit.
        }
    }
}
