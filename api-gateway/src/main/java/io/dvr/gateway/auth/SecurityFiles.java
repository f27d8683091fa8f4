package io.dvr.gateway.auth;

import io.dvr.common.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token material of {@code security.dir} (default {@code ~/.dvr/security}): the signing key
 * {@code jwt-signing.pem} and the bootstrap {@code admin.token} (an admin of project 'admin'),
 * both 0600. Made on first start when missing; the admin token is written again when it no longer
 * verifies with the key or has less than a week left. Blocking file work: call it on a worker.
 * A lock file keeps two processes starting on one directory from making two keys.
 */
public final class SecurityFiles {
  private static final Logger LOG = LoggerFactory.getLogger(SecurityFiles.class);
  public static final String KEY_FILE = "jwt-signing.pem";
  public static final String ADMIN_TOKEN_FILE = "admin.token";
  static final Duration ADMIN_TOKEN_TTL = Duration.ofDays(30);
  static final Duration RENEW_BEFORE = Duration.ofDays(7);

  private SecurityFiles() {}

  /** {@code security.dir}, else {@code ~/.dvr/security}. */
  public static Path dir(Settings settings) {
    return Path.of(settings.get("security.dir", Path.of(System.getProperty("user.home"), ".dvr", "security").toString()));
  }

  /**
   * The signing key: {@code auth.jwt-key-file} when set (it must exist), else the directory's,
   * made when missing.
   */
  public static synchronized SigningKey signingKey(Settings settings) {
    var configured = settings.find("auth.jwt-key-file");
    if (configured.isPresent()) {
      return SigningKey.read(Path.of(configured.get()));
    }
    Path dir = dir(settings);
    Path file = dir.resolve(KEY_FILE);
    return locked(dir, () -> {
      if (Files.exists(file)) {
        return SigningKey.read(file);
      }
      SigningKey key = SigningKey.generate();
      key.write(file);
      LOG.info("created the API token signing key (ES256) {}", file);
      return key;
    });
  }

  /** Writes {@code admin.token} unless the one there still verifies for more than a week. */
  public static synchronized Path adminToken(Settings settings, TokenAuthority tokens, Clock clock) {
    Path dir = dir(settings);
    Path file = dir.resolve(ADMIN_TOKEN_FILE);
    return locked(dir, () -> {
      if (Files.exists(file) && stillGood(tokens, file, clock)) {
        LOG.info("admin token: {}", file);
        return file;
      }
      String token = tokens.issue("admin", Caller.ADMIN_PROJECT, Role.ADMIN, ADMIN_TOKEN_TTL);
      SigningKey.writePrivate(file, token + "\n");
      LOG.info("wrote the admin token (project {}, valid {} days) to {}; dvrctl reads it from there",
          Caller.ADMIN_PROJECT, ADMIN_TOKEN_TTL.toDays(), file);
      return file;
    });
  }

  private static boolean stillGood(TokenAuthority tokens, Path file, Clock clock) {
    try {
      Caller admin = tokens.check(Files.readString(file, StandardCharsets.US_ASCII).trim());
      return admin.isAdmin() && admin.expiresAt().isAfter(Instant.now(clock).plus(RENEW_BEFORE));
    } catch (Exception e) {
      return false; // unreadable, another key's, expired: a new one is written
    }
  }

  private interface Work<T> {
    T run();
  }

  private static <T> T locked(Path dir, Work<T> work) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
        return work.run();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the security directory " + dir + " (security.dir)", e);
    }
  }
}
