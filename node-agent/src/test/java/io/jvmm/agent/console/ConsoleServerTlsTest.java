package io.jvmm.agent.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jvmm.agent.VmKey;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The network console endpoint with its self-signed TLS key, a pinned client and an authorizer. */
class ConsoleServerTlsTest {
  @TempDir
  Path dir;

  @Test
  void servesPinnedTlsClientsThatTheAuthorizerLetsIn() throws Exception {
    ConsoleTls tls = ConsoleTls.selfSigned(dir, "node-a");
    assertThat(tls.fingerprint()).hasSize(64);
    // Kept: a restarted agent keeps its certificate, so pins stay valid.
    assertThat(ConsoleTls.selfSigned(dir, "node-a").fingerprint()).isEqualTo(tls.fingerprint());

    ConsoleHub hub = new ConsoleHub("ns/vm", null, 1024);
    ConsoleAuthorizer onlyAlice = r -> "alice".equals(r.token) ? null : "only alice";
    try (ConsoleServer server = new ConsoleServer(new InetSocketAddress("127.0.0.1", 0), tls.context(), onlyAlice,
        (key, serial) -> key.equals(new VmKey("ns", "vm")) ? Optional.of(hub) : Optional.empty(), "node-a")) {
      InetSocketAddress at = new InetSocketAddress("127.0.0.1", server.port());

      try (ConsoleClient alice = ConsoleClient.remote(at, new ConsoleRequest("ns", "vm", false, "alice"), true,
          tls.fingerprint())) {
        assertThat(alice.isWriter()).isFalse();
        await().until(() -> hub.viewerCount() == 1);
      }
      assertThatThrownBy(() -> ConsoleClient.remote(at, new ConsoleRequest("ns", "vm", true, "mallory"), true,
          tls.fingerprint())).hasMessageContaining("only alice");
      assertThatThrownBy(() -> ConsoleClient.remote(at, new ConsoleRequest("ns", "other", true, "alice"), true,
          tls.fingerprint())).hasMessageContaining("no VM ns/other runs on node node-a");
      assertThatThrownBy(() -> ConsoleClient.remote(at, new ConsoleRequest("ns", "vm", true, "alice"), true,
          "00".repeat(32))).hasMessageContaining("fingerprint");
    }
  }
}
