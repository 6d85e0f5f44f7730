package io.jvmm.agent.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jvmm.agent.VmKey;
import io.jvmm.agent.pki.CertificateAuthority;
import io.jvmm.agent.pki.Pem;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network console endpoint: its self-signed key, pinned by the client, and mutual TLS that
 * lets in the holder of a certificate from the console client CA and nobody else.
 */
class ConsoleServerTlsTest {
  @TempDir
  Path dir;

  @Test
  void servesOnlyClientsOfTheConsoleClientCaThatPinItsCertificate() throws Exception {
    ConsoleTls tls = ConsoleTls.selfSigned(dir, "node-a");
    assertThat(tls.fingerprint()).hasSize(64);
    // Kept: a restarted agent keeps its certificate, so pins stay valid.
    assertThat(ConsoleTls.selfSigned(dir, "node-a").fingerprint()).isEqualTo(tls.fingerprint());

    CertificateAuthority ca = CertificateAuthority.create("console-client-ca");
    Path caFile = Files.writeString(dir.resolve("ca.crt"), ca.certificatePem());
    KeyManager[] api = identity(ca.issueClient("jvmm-console-api"));
    CertificateAuthority other = CertificateAuthority.create("console-client-ca");
    KeyManager[] impostor = identity(other.issueClient("jvmm-console-api"));

    ConsoleHub hub = new ConsoleHub("ns/vm", null, 1024);
    try (ConsoleServer server = new ConsoleServer(new InetSocketAddress("127.0.0.1", 0),
        tls.serverContext(new io.jvmm.agent.pki.ReloadingCaTrust(caFile)),
        (key, serial) -> key.equals(new VmKey("ns", "vm")) ? Optional.of(hub) : Optional.empty(), "node-a")) {
      InetSocketAddress at = new InetSocketAddress("127.0.0.1", server.port());

      try (ConsoleClient watcher = ConsoleClient.remote(at, new ConsoleRequest("ns", "vm", false, "alice"), api,
          tls.fingerprint())) {
        assertThat(watcher.isWriter()).isFalse();
        await().until(() -> hub.viewerCount() == 1);
      }
      assertThatThrownBy(() -> ConsoleClient.remote(at, new ConsoleRequest("ns", "other", true, "alice"), api,
          tls.fingerprint())).hasMessageContaining("no VM ns/other runs on node node-a");
      assertThatThrownBy(() -> ConsoleClient.remote(at, new ConsoleRequest("ns", "vm", true, "alice"), api,
          "00".repeat(32))).hasMessageContaining("fingerprint");
      // Without a client certificate, or with one of another CA, the handshake fails: no request is read.
      assertThatThrownBy(() -> ConsoleClient.remote(at, new ConsoleRequest("ns", "vm", true, "mallory"), null,
          tls.fingerprint())).isInstanceOf(IOException.class)
          .isNotInstanceOf(ConsoleClient.ConsoleRefusedException.class);
      assertThatThrownBy(() -> ConsoleClient.remote(at, new ConsoleRequest("ns", "vm", true, "mallory"), impostor,
          tls.fingerprint())).isInstanceOf(IOException.class)
          .isNotInstanceOf(ConsoleClient.ConsoleRefusedException.class);
      assertThat(hub.viewerCount()).isZero();

      // The CA file is a mounted ConfigMap: replaced in place, the new CA counts without a restart.
      Files.writeString(caFile, other.certificatePem());
      Files.setLastModifiedTime(caFile, FileTime.from(Instant.now().plusSeconds(5)));
      try (ConsoleClient renewed = ConsoleClient.remote(at, new ConsoleRequest("ns", "vm", true, "bob"), impostor,
          tls.fingerprint())) {
        assertThat(renewed.isWriter()).isTrue();
      }
      assertThatThrownBy(() -> ConsoleClient.remote(at, new ConsoleRequest("ns", "vm", true, "alice"), api,
          tls.fingerprint())).isInstanceOf(IOException.class);
    }
  }

  private static KeyManager[] identity(CertificateAuthority.Issued issued) {
    return Pem.keyManagers(issued.certificatePem(), issued.keyPem(), "test client");
  }
}
