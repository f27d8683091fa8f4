package io.dvr.gateway.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The token signing key: an EC P-256 key pair (ES256) in one PEM file, the PKCS#8 private key
 * followed by its public key, as openssl writes them. Files are written 0600 through a temporary
 * file and a rename, so that a reader never sees half a key.
 */
public record SigningKey(String privatePem, String publicPem) {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN (PRIVATE KEY|PUBLIC KEY)-----[A-Za-z0-9+/=\\s]+-----END \\1-----");

  /** A new random key pair. */
  public static SigningKey generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      return new SigningKey(pem("PRIVATE KEY", pair.getPrivate().getEncoded()),
          pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this Java has no EC P-256 key generator", e);
    }
  }

  /** Reads a key file; refuses one without both blocks, naming the file (never its content). */
  public static SigningKey read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the token signing key " + file + ": " + e.getMessage(), e);
    }
    String privatePem = null;
    String publicPem = null;
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (m.group(1).equals("PRIVATE KEY")) {
        privatePem = m.group();
      } else {
        publicPem = m.group();
      }
    }
    if (privatePem == null || publicPem == null) {
      throw new IllegalStateException("the token signing key " + file + " must hold a PEM 'PRIVATE KEY' (PKCS#8, EC"
          + " P-256) and its 'PUBLIC KEY'");
    }
    return new SigningKey(privatePem, publicPem);
  }

  public void write(Path file) {
    writePrivate(file, privatePem + "\n" + publicPem + "\n");
  }

  /** Writes a secret file readable by its owner only (0600), replacing it whole. */
  static void writePrivate(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----";
  }

  @Override
  public String toString() {
    return "SigningKey[ES256]"; // never the key itself, in a log or an error
  }
}
