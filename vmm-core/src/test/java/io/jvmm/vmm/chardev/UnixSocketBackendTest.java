package io.jvmm.vmm.chardev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSocketBackendTest {
    @TempDir
    Path dir;

    @Test
    void aClientIsTheConsoleAndTheNextTakesOverWhenItLeaves() throws IOException {
        Path path = dir.resolve("serial.sock");
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        UnixSocketBackend backend = new UnixSocketBackend(path);
        backend.connectInput((data, length) -> {
            synchronized (input) {
                input.write(data, 0, length);
            }
        });
        backend.output().write("dropped: nobody listens\n".getBytes(StandardCharsets.UTF_8));
        for (String name : new String[] {"first", "second"}) {
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                client.connect(UnixDomainSocketAddress.of(path));
                client.write(ByteBuffer.wrap((name + "\n").getBytes(StandardCharsets.UTF_8)));
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    synchronized (input) {
                        return input.toString(StandardCharsets.UTF_8).contains(name);
                    }
                });
                backend.output().write(("to " + name).getBytes(StandardCharsets.UTF_8));
                ByteBuffer got = ByteBuffer.allocate(64);
                client.read(got);
                assertThat(new String(got.array(), 0, got.position(), StandardCharsets.UTF_8)).isEqualTo("to " + name);
            }
        }
        backend.close();
        assertThat(path).doesNotExist();
    }

    @Test
    void aClientThatConnectsBeforeTheInputIsConnectedStillReachesIt() throws IOException {
        Path path = dir.resolve("early.sock");
        UnixSocketBackend backend = new UnixSocketBackend(path);
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            client.connect(UnixDomainSocketAddress.of(path));
            client.write(ByteBuffer.wrap("early\n".getBytes(StandardCharsets.UTF_8)));
            backend.connectInput((data, length) -> {
                synchronized (input) {
                    input.write(data, 0, length);
                }
            });
            client.write(ByteBuffer.wrap("typed\n".getBytes(StandardCharsets.UTF_8)));
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                synchronized (input) {
                    return input.toString(StandardCharsets.UTF_8).contains("typed");
                }
            });
        } finally {
            backend.close();
        }
    }
}
