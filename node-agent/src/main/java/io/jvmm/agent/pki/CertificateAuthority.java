package io.jvmm.agent.pki;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for the console's TLS: the CA that agents trust for the console
 * API's client certificate, and the CA of the console API's serving certificate that
 * kube-apiserver trusts through the APIService's caBundle. EC P-256 keys, as kubeadm makes.
 */
public final class CertificateAuthority {
  private static final Duration VALIDITY = Duration.ofDays(3650);
  private final KeyPair key;
  private final X509Certificate certificate;

  private CertificateAuthority(KeyPair key, X509Certificate certificate) {
    this.key = key;
    this.certificate = certificate;
  }

  /** A new self-signed CA named {@code commonName}. */
  public static CertificateAuthority create(String commonName) {
    KeyPair key = newKey();
    X500Name name = new X500Name("CN=" + commonName);
    try {
      X509v3CertificateBuilder builder = builder(name, name, key);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new CertificateAuthority(key, sign(builder, key.getPrivate()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String certificatePem() {
    return pem(certificate);
  }

  public String keyPem() {
    return pem(key.getPrivate());
  }

  /** A client certificate (clientAuth) for {@code commonName}. */
  public Issued issueClient(String commonName) {
    return issue(commonName, List.of(), KeyPurposeId.id_kp_clientAuth);
  }

  /** A serving certificate (serverAuth) for the DNS names and IP addresses in {@code names}. */
  public Issued issueServer(String commonName, List<String> names) {
    return issue(commonName, names, KeyPurposeId.id_kp_serverAuth);
  }

  private Issued issue(String commonName, List<String> names, KeyPurposeId purpose) {
    KeyPair leaf = newKey();
    try {
      X509v3CertificateBuilder builder = builder(new X500Name(certificate.getSubjectX500Principal().getName()),
          new X500Name("CN=" + commonName), leaf);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      if (!names.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.stream()
            .map(n -> n.matches("[0-9.]+|.*:.*") ? new GeneralName(GeneralName.iPAddress, n)
                : new GeneralName(GeneralName.dNSName, n))
            .toArray(GeneralName[]::new)));
      }
      X509Certificate cert = sign(builder, key.getPrivate());
      return new Issued(pem(cert), pem(leaf.getPrivate()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A certificate and its key, PEM. */
  public record Issued(String certificatePem, String keyPem) {
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair key) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, new SecureRandom()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, key.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a certificate: " + e.getMessage(), e);
    }
  }

  private static KeyPair newKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no EC P-256 in this JDK", e);
    }
  }

  /** Keys as PKCS#8 ("PRIVATE KEY"), which every TLS stack reads. */
  private static String pem(Object value) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      if (value instanceof PrivateKey privateKey) {
        writer.writeObject(new JcaPKCS8Generator(privateKey, null));
      } else {
        writer.writeObject(value);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
