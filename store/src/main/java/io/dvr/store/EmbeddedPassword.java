package io.dvr.store;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import javax.sql.DataSource;

/**
 * The embedded server's login: a generated password for the {@code postgres} role, kept in the
 * data directory ({@link #FILE}, mode 0600, beside the data it guards), and a {@code pg_hba.conf}
 * that asks every connection for it (scram-sha-256; the server listens on loopback only).
 * A data directory made before this (trust for everyone) is migrated on its first start:
 * the password is set while it still trusts, then the rules are replaced and reloaded.
 */
final class EmbeddedPassword {
  static final String FILE = "dvr-db.password";
  /** The first line of our pg_hba.conf: a directory that has it asks for the password already. */
  static final String MARKER = "# dvr: every connection proves the generated password (scram-sha-256)";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dataDir;
  private final String password;

  private EmbeddedPassword(Path dataDir, String password) {
    this.dataDir = dataDir;
    this.password = password;
  }

  /** The password of the data directory, or a new one for a directory that has none yet (written by {@link #write}). */
  static EmbeddedPassword of(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        return new EmbeddedPassword(dataDir, Files.readString(file, StandardCharsets.US_ASCII).trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    byte[] random = new byte[24];
    RANDOM.nextBytes(random);
    return new EmbeddedPassword(dataDir, Base64.getUrlEncoder().withoutPadding().encodeToString(random));
  }

  String value() {
    return password;
  }

  /** Keeps the password in the data directory (0600), once initdb has made it. */
  void write() {
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      return;
    }
    Path temp = dataDir.resolve(FILE + ".tmp");
    try {
      Files.deleteIfExists(temp);
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
        out.write((password + "\n").getBytes(StandardCharsets.US_ASCII));
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * What PostgreSQL stores for a scram-sha-256 password (RFC 5802/7677, as its own
   * {@code pg_be_scram_build_secret} makes it): {@code SCRAM-SHA-256$4096:salt$StoredKey:ServerKey}.
   */
  static String scramVerifier(String password, byte[] salt) {
    try {
      int iterations = 4096;
      byte[] salted = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(
          new javax.crypto.spec.PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
      byte[] storedKey = java.security.MessageDigest.getInstance("SHA-256").digest(hmac(salted, "Client Key"));
      byte[] serverKey = hmac(salted, "Server Key");
      Base64.Encoder b64 = Base64.getEncoder();
      return "SCRAM-SHA-256$" + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey) + ":"
          + b64.encodeToString(serverKey);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String text) throws java.security.GeneralSecurityException {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] salt() {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return salt;
  }

  /** Whether the server on this directory already asks for the password. */
  boolean enforced() {
    try {
      Path hba = dataDir.resolve("pg_hba.conf");
      return Files.exists(hba) && Files.readString(hba).startsWith(MARKER);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * On a server that still trusts (a new directory, or one from before passwords): sets the
   * role's password, then makes every connection prove it, and reloads the rules.
   */
  void enforce(DataSource trusting) {
    try (Connection c = trusting.getConnection(); Statement s = c.createStatement()) {
      // The server is given the SCRAM verifier, never the password: not even a failed statement's log can show it.
      s.execute("ALTER ROLE postgres PASSWORD '" + scramVerifier(password, salt()) + "'");
      Files.writeString(dataDir.resolve("pg_hba.conf"), MARKER + "\n"
          + "local all all scram-sha-256\n"
          + "host all all 127.0.0.1/32 scram-sha-256\n"
          + "host all all ::1/128 scram-sha-256\n");
      s.execute("SELECT pg_reload_conf()");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot set the password of the embedded PostgreSQL (SQLSTATE " + e.getSQLState()
          + ")", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write pg_hba.conf in " + dataDir + ": " + e.getMessage(), e);
    }
  }
}
