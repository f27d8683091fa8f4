package io.dvr.common.cluster;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** This member's event-bus key and certificate chain (the PKCS12 keystore), which sign its node record. */
final class BusIdentity {
  private final PrivateKey key;
  private final List<X509Certificate> chain;

  private BusIdentity(PrivateKey key, List<X509Certificate> chain) {
    this.key = key;
    this.chain = chain;
  }

  static BusIdentity load(Path keystore, String password, String setting) {
    KeyStore store = PeerVerifier.read(keystore, password, setting);
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          List<X509Certificate> chain = new ArrayList<>();
          for (Certificate c : store.getCertificateChain(alias)) {
            chain.add((X509Certificate) c);
          }
          return new BusIdentity((PrivateKey) store.getKey(alias, password.toCharArray()), List.copyOf(chain));
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("setting " + setting + ": cannot read the key in '" + keystore + "': "
          + e.getMessage(), e);
    }
    throw new IllegalStateException("setting " + setting + ": '" + keystore + "' holds no private key");
  }

  List<X509Certificate> chain() {
    return chain;
  }

  byte[] sign(byte[] payload) {
    try {
      Signature signature = Signature.getInstance(algorithm(key.getAlgorithm()));
      signature.initSign(key);
      signature.update(payload);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign this member's event-bus record", e);
    }
  }

  /** The signature algorithm of a key type: SHA-256 with RSA or ECDSA, or Ed25519. */
  static String algorithm(String keyAlgorithm) {
    return switch (keyAlgorithm) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new IllegalArgumentException("unsupported key type " + keyAlgorithm);
    };
  }

}
