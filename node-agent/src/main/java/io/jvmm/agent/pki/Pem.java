package io.jvmm.agent.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Certificates and keys in PEM, as Kubernetes keeps them in Secrets, ConfigMaps and files. */
public final class Pem {
  private Pem() {
  }

  public static List<X509Certificate> certificates(String pem, String what) {
    try {
      List<X509Certificate> certs = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
          .map(X509Certificate.class::cast).toList();
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(what + " holds no PEM certificate");
      }
      return certs;
    } catch (CertificateException e) {
      throw new IllegalArgumentException(what + " is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /** An RSA or EC key in any PEM form openssl and kubeadm write (PKCS#1, SEC1 or PKCS#8). */
  public static PrivateKey privateKey(String pem, String what) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o; (o = parser.readObject()) != null; ) {
        if (o instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
      }
      throw new IllegalArgumentException(what + " holds no unencrypted PEM private key");
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " is not a PEM private key: " + e.getMessage(), e);
    }
  }

  /** A trust manager whose anchors are the certificates in {@code pem}. */
  public static X509TrustManager trustManager(String pem, String what) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      List<X509Certificate> cas = certificates(pem, what);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return (X509TrustManager) factory.getTrustManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
  }

  /** Key managers presenting {@code certificatePem} (leaf first) with its key. */
  public static KeyManager[] keyManagers(String certificatePem, String keyPem, String what) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = new char[0];
      store.setKeyEntry("key", privateKey(keyPem, what + " key"), password,
          certificates(certificatePem, what + " certificate").toArray(new Certificate[0]));
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      return factory.getKeyManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
  }
}
