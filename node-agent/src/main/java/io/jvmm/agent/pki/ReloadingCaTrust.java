package io.jvmm.agent.pki;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts client certificates issued by the CA in a PEM file, read again whenever the file
 * changes: the file is a mounted ConfigMap that kubelet updates in place when the CA is
 * replaced, and an agent must not need a restart (and its VMs' consoles a drop) for that.
 */
public final class ReloadingCaTrust implements X509TrustManager {
  private final Path file;
  private FileTime loadedAt;
  private X509TrustManager current;

  public ReloadingCaTrust(Path file) {
    this.file = file;
    delegate();
  }

  private synchronized X509TrustManager delegate() {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      if (current == null || !modified.equals(loadedAt)) {
        current = Pem.trustManager(Files.readString(file), file.toString());
        loadedAt = modified;
      }
      return current;
    } catch (IOException | IllegalArgumentException e) {
      if (current == null) {
        throw new IllegalArgumentException("cannot read the console client CA " + file + ": " + e.getMessage(), e);
      }
      return current; // a half-written update: keep the last good CA
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate().checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("trusts clients only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate().getAcceptedIssuers();
  }
}
