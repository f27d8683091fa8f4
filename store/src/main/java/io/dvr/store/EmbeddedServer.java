package io.dvr.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL server process on a persistent data directory, on loopback, asking for a
 * generated password ({@link EmbeddedPassword}); blocking, call off the event loop.
 */
final class EmbeddedServer implements AutoCloseable {
  /** How long a server left running on the data directory gets to stop. */
  private static final Duration STOP_LEFTOVER = Duration.ofSeconds(30);
  private final EmbeddedPostgres postgres;
  private final String password;

  private EmbeddedServer(EmbeddedPostgres postgres, String password) {
    this.postgres = postgres;
    this.password = password;
  }

  static EmbeddedServer start(Path dataDir, int port) {
    try {
      Files.createDirectories(dataDir);
      // A server left running by a killed owner holds the directory: a new one would never come up.
      LeftoverServer.stopIfRunning(dataDir, STOP_LEFTOVER);
      EmbeddedPassword login = EmbeddedPassword.of(dataDir);
      Path work = dataDir.resolveSibling(dataDir.getFileName() + "-bin");
      Files.createDirectories(work);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setOverrideWorkingDirectory(work.toFile())
          .setPGStartupWait(Duration.ofSeconds(30))
          .setServerConfig("max_connections", "200")
          // The embedded server's defaults trade durability for speed (-F, synchronous_commit=off);
          // a control plane's intent must survive a crash, so commits are durable here.
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("full_page_writes", "on")
          .setServerConfig("listen_addresses", "127.0.0.1")
          // What the start-up check connects with: ignored while the directory still trusts.
          .setConnectConfig("password", login.value())
          .setDataDirectoryCustomizer(dir -> login.write());
      if (port > 0) {
        builder.setPort(port);
      }
      EmbeddedPostgres postgres = builder.start();
      if (!login.enforced()) {
        try {
          login.enforce(postgres.getPostgresDatabase());
        } catch (RuntimeException e) {
          postgres.close();
          throw e;
        }
      }
      return new EmbeddedServer(postgres, login.value());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL on " + dataDir, e);
    }
  }

  int port() {
    return postgres.getPort();
  }

  /** The password of the {@code postgres} role (never logged). */
  String password() {
    return password;
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
