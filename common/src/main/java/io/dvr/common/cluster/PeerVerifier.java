package io.dvr.common.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether a signed record comes from a holder of a certificate of the cluster CA (the
 * truststore): the chain must validate (PKIX, at the current time) to one of its anchors and the
 * signature must verify with the leaf's key. Validated chains are remembered until the leaf
 * expires, refused ones for a while, so that a stream of records costs one signature check each.
 */
final class PeerVerifier {
  private static final int CACHE_LIMIT = 1024;
  private final Set<TrustAnchor> anchors;
  private final Map<String, Long> validUntil = new ConcurrentHashMap<>();
  private final Map<String, String> refused = new ConcurrentHashMap<>();

  private PeerVerifier(Set<TrustAnchor> anchors) {
    this.anchors = anchors;
  }

  static PeerVerifier load(Path truststore, String password, String setting) {
    KeyStore store = read(truststore, password, setting);
    Set<TrustAnchor> anchors = new HashSet<>();
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (store.getCertificate(alias) instanceof X509Certificate ca) {
          anchors.add(new TrustAnchor(ca, null));
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("setting " + setting + ": cannot read '" + truststore + "': " + e.getMessage(), e);
    }
    if (anchors.isEmpty()) {
      throw new IllegalStateException("setting " + setting + ": '" + truststore + "' holds no CA certificate");
    }
    return new PeerVerifier(Set.copyOf(anchors));
  }

  static KeyStore read(Path path, String password, String setting) {
    try (InputStream in = Files.newInputStream(path)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("setting " + setting + ": cannot read '" + path
          + "' as PKCS12 with the password of cluster.tls.password: " + e.getMessage(), e);
    }
  }

  /** Null when the record is trusted; otherwise why not (for the log). */
  String refusal(List<X509Certificate> chain, byte[] payload, byte[] signature) {
    if (chain.isEmpty()) {
      return "no certificate";
    }
    String chainWhy = chainRefusal(chain);
    if (chainWhy != null) {
      return chainWhy;
    }
    X509Certificate leaf = chain.get(0);
    try {
      Signature check = Signature.getInstance(BusIdentity.algorithm(leaf.getPublicKey().getAlgorithm()));
      check.initVerify(leaf.getPublicKey());
      check.update(payload);
      return check.verify(signature) ? null : "signature does not match the certificate's key";
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return "signature unreadable: " + e.getMessage();
    }
  }

  private String chainRefusal(List<X509Certificate> chain) {
    String id = fingerprint(chain);
    Long until = validUntil.get(id);
    long now = System.currentTimeMillis();
    if (until != null && now < until) {
      return null;
    }
    String known = refused.get(id);
    if (known != null) {
      return known;
    }
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (anchors.stream().noneMatch(a -> a.getTrustedCert().equals(c))) {
        path.add(c);
      }
    }
    if (validUntil.size() > CACHE_LIMIT || refused.size() > CACHE_LIMIT) {
      validUntil.clear();
      refused.clear();
    }
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path),
          params);
      long expiry = chain.stream().mapToLong(c -> c.getNotAfter().getTime()).min().orElse(now);
      validUntil.put(id, expiry);
      return null;
    } catch (GeneralSecurityException e) {
      String why = "certificate not issued by the cluster CA (" + e.getMessage() + ")";
      refused.put(id, why);
      return why;
    }
  }

  private static String fingerprint(List<X509Certificate> chain) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (X509Certificate c : chain) {
        sha.update(c.getEncoded());
      }
      return Base64.getEncoder().encodeToString(sha.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
