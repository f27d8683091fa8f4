package io.dvr.common.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
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
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA and its member certificates for tests of the clustered event bus: PKCS12 files
 * as the {@code cluster.tls.*} settings expect them (a key with its chain per member; a
 * truststore holding the CA only), all with {@link #PASSWORD}. EC P-256, valid for a day.
 */
public final class TestCertificates {
  public static final String PASSWORD = "bus-test-password";
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final Path dir;
  private final KeyPair caKey;
  private final X509Certificate ca;

  private TestCertificates(Path dir, KeyPair caKey, X509Certificate ca) {
    this.dir = dir;
    this.caKey = caKey;
    this.ca = ca;
  }

  /** A new CA named {@code name}, its files under {@code dir}. */
  public static TestCertificates create(Path dir, String name) {
    try {
      Files.createDirectories(dir);
      KeyPair key = keyPair();
      X500Name subject = new X500Name("CN=" + name);
      X509v3CertificateBuilder b = builder(subject, subject, key)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      TestCertificates pki = new TestCertificates(dir, key, sign(b, key));
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", pki.ca);
      write(trust, pki.truststore());
      return pki;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot create the test CA", e);
    }
  }

  public Path truststore() {
    return dir.resolve("truststore.p12");
  }

  /** The PKCS12 key and chain of member {@code name} (made on first use; EKU server and client auth). */
  public synchronized Path member(String name) {
    Path file = dir.resolve(name + ".p12");
    if (Files.exists(file)) {
      return file;
    }
    try {
      KeyPair key = keyPair();
      X509v3CertificateBuilder b = builder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
          new X500Name("CN=" + name), key)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
      X509Certificate cert = sign(b, caKey);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(name, key.getPrivate(), PASSWORD.toCharArray(), new Certificate[] {cert, ca});
      write(store, file);
      return file;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot create the test certificate of " + name, e);
    }
  }

  /** The cluster.tls.* settings of member {@code name}. */
  public Map<String, String> settings(String name) {
    Map<String, String> s = new HashMap<>();
    s.put(BusSecurity.KEYSTORE, member(name).toString());
    s.put(BusSecurity.TRUSTSTORE, truststore().toString());
    s.put(BusSecurity.PASSWORD, PASSWORD);
    return s;
  }

  /** The same as DVR_ environment variables, for a service process. */
  public Map<String, String> env(String name) {
    return Map.of("DVR_CLUSTER_TLS_KEYSTORE", member(name).toString(),
        "DVR_CLUSTER_TLS_TRUSTSTORE", truststore().toString(), "DVR_CLUSTER_TLS_PASSWORD", PASSWORD);
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair key) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, key.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer) throws GeneralSecurityException {
    try {
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static void write(KeyStore store, Path file) throws IOException, GeneralSecurityException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      store.store(out, PASSWORD.toCharArray());
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
