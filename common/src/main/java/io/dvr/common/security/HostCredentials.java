package io.dvr.common.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-host credentials for the event bus, where a receiver cannot see the sender's certificate.
 * Each host's key is HMAC-SHA256(secret, host); the control plane holds the secret (and derives any
 * host's key), an agent holds only its own host's key ({@code host-<host>.credential}). A request
 * that claims a host carries {@link #HEADER}: {@code <unix seconds>.<HMAC(host key, host, seconds,
 * SHA-256 of the body)>}; the receiver recomputes it and accepts it within {@link #MAX_SKEW} of its
 * clock. What it proves: the sender holds that host's key, for this body, recently (a captured
 * request replays only unchanged and only for a minute).
 */
public final class HostCredentials {
  public static final String HEADER = "dvr-host-proof";
  public static final Duration MAX_SKEW = Duration.ofSeconds(60);
  private final byte[] secret;

  private HostCredentials(byte[] secret) {
    this.secret = secret.clone();
  }

  public static HostCredentials fromSecret(byte[] secret) {
    if (secret.length < 16) {
      throw new IllegalArgumentException("the host credential secret is too short");
    }
    return new HostCredentials(secret);
  }

  /** The key of one host (what its agent is given). */
  public String keyOf(String host) {
    return encode(hmac(secret, ("dvr host " + host).getBytes(StandardCharsets.UTF_8)));
  }

  /** The proof an agent holding {@code hostKey} attaches to a request of {@code host} with this body. */
  public static String prove(String host, String hostKey, byte[] body, Instant now) {
    long seconds = now.getEpochSecond();
    return seconds + "." + encode(hmac(hostKey.trim().getBytes(StandardCharsets.US_ASCII), signed(host, seconds, body)));
  }

  /** Whether {@code proof} shows that the sender holds {@code host}'s key, for this body, now. */
  public boolean verify(String host, String proof, byte[] body, Instant now) {
    if (proof == null) {
      return false;
    }
    int dot = proof.indexOf('.');
    long seconds;
    try {
      seconds = Long.parseLong(proof.substring(0, Math.max(dot, 0)));
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(now.getEpochSecond() - seconds) > MAX_SKEW.toSeconds()) {
      return false;
    }
    byte[] expected = hmac(keyOf(host).getBytes(StandardCharsets.US_ASCII), signed(host, seconds, body));
    return MessageDigest.isEqual(encode(expected).getBytes(StandardCharsets.US_ASCII),
        proof.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] signed(String host, long seconds, byte[] body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
      return (host + "\n" + seconds + "\n" + encode(digest)).getBytes(StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
