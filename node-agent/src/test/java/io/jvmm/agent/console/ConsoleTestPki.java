package io.jvmm.agent.console;

import io.jvmm.agent.pki.CertificateAuthority;
import io.jvmm.agent.pki.Pem;
import io.jvmm.agent.pki.ReloadingCaTrust;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;

/**
 * The console's mutual TLS for tests, as deploy/ sets it up: a console client CA that agents
 * trust, and the client certificate it issued to the console API. One per test JVM.
 */
public final class ConsoleTestPki {
  private static ConsoleTestPki shared;

  private final CertificateAuthority ca;
  private final CertificateAuthority.Issued client;
  private final Path caFile;

  private ConsoleTestPki() {
    ca = CertificateAuthority.create("jvmm-console-client-ca-test");
    client = ca.issueClient("jvmm-console-api");
    try {
      caFile = Files.createTempFile("jvmm-console-client-ca-", ".crt");
      caFile.toFile().deleteOnExit();
      Files.writeString(caFile, ca.certificatePem());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static synchronized ConsoleTestPki shared() {
    if (shared == null) {
      shared = new ConsoleTestPki();
    }
    return shared;
  }

  /** The CA's certificate as a PEM file: an agent's --console-client-ca. */
  public Path caFile() {
    return caFile;
  }

  /** The console API's client identity. */
  public KeyManager[] clientIdentity() {
    return Pem.keyManagers(client.certificatePem(), client.keyPem(), "the test console API");
  }

  /** An agent's server TLS: {@code tls}'s key, clients of this CA only. */
  public SSLContext agentContext(ConsoleTls tls) throws GeneralSecurityException {
    return tls.serverContext(new ReloadingCaTrust(caFile));
  }
}
