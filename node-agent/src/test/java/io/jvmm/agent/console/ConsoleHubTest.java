package io.jvmm.agent.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jvmm.agent.qmp.UnixSocketStreams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub against a fake VMM console socket. */
class ConsoleHubTest {
  @TempDir
  Path dir;

  /** A synchronized sink a viewer writes into. */
  static final class Sink extends ByteArrayOutputStream {
    synchronized String text() {
      return toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void fansOutputToViewersWithScrollBackAndLetsOneWrite() throws Exception {
    Path socket = dir.resolve("console.sock");
    try (ServerSocketChannel vmm = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      vmm.bind(UnixDomainSocketAddress.of(socket));
      ConsoleHub hub = new ConsoleHub("vm", dir.resolve("console.log"), 1024);
      hub.connect(socket, Duration.ofSeconds(5));
      try (SocketChannel guest = vmm.accept()) {
        guest.write(ByteBuffer.wrap("boot messages\nlogin: ".getBytes(StandardCharsets.UTF_8)));
        await().until(() -> new String(hub.scrollBack(), StandardCharsets.UTF_8).endsWith("login: "));

        Sink first = new Sink();
        Sink second = new Sink();
        ConsoleHub.Viewer writer = hub.attach(first, true);
        ConsoleHub.Viewer watcher = hub.attach(second, true);
        assertThat(writer.isWriter()).isTrue();
        assertThat(watcher.isWriter()).isFalse();
        await().until(() -> first.text().equals("boot messages\nlogin: ")
            && second.text().equals("boot messages\nlogin: "));

        writer.write("root\n".getBytes(StandardCharsets.UTF_8), 0, 5);
        ByteBuffer typed = ByteBuffer.allocate(16);
        guest.read(typed);
        assertThat(new String(typed.array(), 0, typed.position(), StandardCharsets.UTF_8)).isEqualTo("root\n");
        assertThatThrownBy(() -> watcher.write(new byte[] {'x'}, 0, 1)).hasMessageContaining("read-only");

        guest.write(ByteBuffer.wrap("# ".getBytes(StandardCharsets.UTF_8)));
        await().until(() -> first.text().endsWith("login: # ") && second.text().endsWith("login: # "));

        // The writer leaves: the next one to ask may write.
        writer.close();
        ConsoleHub.Viewer next = hub.attach(new Sink(), true);
        assertThat(next.isWriter()).isTrue();
        assertThat(hub.viewerCount()).isEqualTo(2);
      }
      hub.close();
    }
    assertThat(Files.readString(dir.resolve("console.log"))).isEqualTo("boot messages\nlogin: # ");
    // A new hub (a restarted agent) starts its scroll-back from the log.
    ConsoleHub again = new ConsoleHub("vm", dir.resolve("console.log"), 8);
    assertThat(new String(again.scrollBack(), StandardCharsets.UTF_8)).isEqualTo("login: # ".substring(1));
  }

  @Test
  void writingWhileTheVmmIsAwayFails() throws IOException {
    ConsoleHub hub = new ConsoleHub("vm", null, 64);
    ConsoleHub.Viewer v = hub.attach(new Sink(), true);
    assertThatThrownBy(() -> v.write(new byte[] {'a'}, 0, 1)).hasMessageContaining("not running");
    assertThatThrownBy(() -> hub.connect(dir.resolve("missing.sock"), Duration.ofMillis(100)))
        .hasMessageContaining("missing.sock");
  }

  @Test
  void thePreambleComesBeforeAnyConsoleByte() throws Exception {
    ConsoleHub hub = new ConsoleHub("vm", null, 64);
    Path socket = dir.resolve("c.sock");
    try (ServerSocketChannel vmm = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      vmm.bind(UnixDomainSocketAddress.of(socket));
      hub.connect(socket, Duration.ofSeconds(5));
      try (SocketChannel guest = vmm.accept()) {
        guest.write(ByteBuffer.wrap("old".getBytes(StandardCharsets.UTF_8)));
        await().until(() -> hub.scrollBack().length == 3);
        Sink sink = new Sink();
        hub.attach(sink, false, writer -> sink.write(("{\"writer\":" + writer + "}\n").getBytes(StandardCharsets.UTF_8)));
        await().until(() -> sink.text().equals("{\"writer\":false}\nold"));
      }
    }
    UnixSocketStreams.class.getName();
  }
}
