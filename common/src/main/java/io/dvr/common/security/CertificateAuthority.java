package io.dvr.common.security;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * The control plane's own small certificate authority: an EC P-256 key and a self-signed CA
 * certificate that signs one certificate per identity (EKU serverAuth and clientAuth, so the same
 * key serves a port and calls other ports). Pure: no files (see {@link SecurityMaterial}).
 */
public final class CertificateAuthority {
  static final String ORGANISATION = "dvr";
  private static final Duration CA_VALIDITY = Duration.ofDays(3650);
  private static final Duration LEAF_VALIDITY = Duration.ofDays(1825);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;

  private CertificateAuthority(X509Certificate certificate, PrivateKey key) {
    this.certificate = certificate;
    this.key = key;
  }

  /** A new CA named {@code dvr CA <label>} (the label tells two labs' CAs apart). */
  public static CertificateAuthority create(String label) {
    try {
      KeyPair pair = newKeyPair();
      X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
          .addRDN(BCStyle.O, ORGANISATION).addRDN(BCStyle.CN, "dvr CA " + label).build();
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertificateAuthority(sign(builder, pair.getPrivate()), pair.getPrivate());
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create the certificate authority: " + e.getMessage(), e);
    }
  }

  /** The CA read back from its PEM files' contents. */
  public static CertificateAuthority fromPem(String certificatePem, String keyPem) {
    try (PEMParser certs = new PEMParser(new StringReader(certificatePem));
         PEMParser keys = new PEMParser(new StringReader(keyPem))) {
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) certs.readObject());
      Object keyObject = keys.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      PrivateKey key = keyObject instanceof PEMKeyPair kp ? converter.getKeyPair(kp).getPrivate()
          : converter.getPrivateKey((PrivateKeyInfo) keyObject);
      return new CertificateAuthority(cert, key);
    } catch (IOException | GeneralSecurityException | ClassCastException | NullPointerException e) {
      throw new IllegalStateException("the CA files are not a PEM certificate and key", e);
    }
  }

  /** A key and a certificate for the identity, valid for these host names and addresses. */
  public Issued issue(Identity identity, List<String> subjectAltNames) {
    try {
      KeyPair pair = newKeyPair();
      X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, ORGANISATION)
          .addRDN(BCStyle.OU, identity.unit()).addRDN(BCStyle.CN, identity.name()).build();
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(LEAF_VALIDITY)), subject, pair.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, altNames(identity, subjectAltNames))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new Issued(pair.getPrivate(), sign(builder, key), certificate);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a certificate for " + identity.fileName() + ": " + e.getMessage(), e);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public String certificatePem() {
    return pem(certificate);
  }

  /** The key as PKCS#8 PEM ({@code PRIVATE KEY}), which carries the algorithm with it. */
  String keyPem() {
    try {
      return pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate());
    } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A private key and its certificate chain (leaf, CA). */
  public record Issued(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
    public X509Certificate[] chain() {
      return new X509Certificate[] {certificate, ca};
    }
  }

  private static GeneralNames altNames(Identity identity, List<String> extra) {
    Set<String> names = new LinkedHashSet<>();
    names.add(identity.name());
    names.addAll(extra);
    List<GeneralName> general = new ArrayList<>();
    for (String n : names) {
      general.add(isIpAddress(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
    }
    return new GeneralNames(general.toArray(GeneralName[]::new));
  }

  static boolean isIpAddress(String name) {
    if (!name.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
      return false;
    }
    try {
      InetAddress.getByName(name); // a literal: no lookup happens
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
  }

  static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }
}
