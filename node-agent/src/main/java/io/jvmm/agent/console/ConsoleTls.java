package io.jvmm.agent.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The console endpoint's TLS key: a PKCS#12 key store given by the operator of the node, or a
 * self-signed one the agent makes with the JDK's keytool on first start and keeps. The console
 * API pins its SHA-256 fingerprint, which the agent publishes on its Node and in its VMs' status.
 */
public final class ConsoleTls {
  private final KeyManager[] keys;
  private final String fingerprint;

  private ConsoleTls(KeyManager[] keys, String fingerprint) {
    this.keys = keys;
    this.fingerprint = fingerprint;
  }

  /**
   * The endpoint's TLS: this key, and only clients whose certificate {@code clients} trusts
   * (the console API's, issued by the console client CA).
   */
  public SSLContext serverContext(X509TrustManager clients) throws GeneralSecurityException {
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(keys, new TrustManager[] {clients}, new SecureRandom());
    return ssl;
  }

  /** SHA-256 of the certificate's DER encoding, lower-case hex. */
  public String fingerprint() {
    return fingerprint;
  }

  public static ConsoleTls load(Path keyStore, char[] password) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      ks.load(in, password);
    }
    String alias = ks.aliases().nextElement();
    Certificate cert = ks.getCertificate(alias);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    return new ConsoleTls(kmf.getKeyManagers(), fingerprint(cert));
  }

  /** The key store in {@code dir}, made with keytool when it is not there yet. */
  public static ConsoleTls selfSigned(Path dir, String nodeName) throws IOException, GeneralSecurityException {
    Path store = dir.resolve("console-tls.p12");
    Path passwordFile = dir.resolve("console-tls.password");
    if (!Files.exists(store)) {
      Files.createDirectories(dir);
      byte[] random = new byte[18];
      new SecureRandom().nextBytes(random);
      String password = HexFormat.of().formatHex(random);
      Files.writeString(passwordFile, password);
      String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
      // keytool is a JVM too: C1 only and the serial GC, as the agent itself (see bin/jvmm-agent).
      Process p = new ProcessBuilder(List.of(keytool, "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC",
          "-genkeypair", "-alias", "console", "-keyalg", "EC",
          "-groupname", "secp256r1", "-dname", "CN=jvmm-agent-" + nodeName, "-ext", "SAN=dns:" + nodeName,
          "-validity", "3650", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", password))
          .redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes());
      try {
        if (p.waitFor() != 0) {
          throw new IOException("keytool could not make the console's TLS key: " + output);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while making the console's TLS key", e);
      }
    }
    return load(store, Files.readString(passwordFile).trim().toCharArray());
  }

  static String fingerprint(Certificate cert) throws GeneralSecurityException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
  }
}
