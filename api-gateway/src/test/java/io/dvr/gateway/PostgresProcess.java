package io.dvr.gateway;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of the test's own, outside the services (as an external database is): on a
 * data directory and a port that stay the same across {@link #kill()} and {@link #start()}, so a
 * test can take the database away and give it back.
 */
public final class PostgresProcess implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres server;

  private PostgresProcess(Path dataDir, int port) {
    this.dataDir = dataDir;
    this.port = port;
  }

  /** Starts a fresh server on a free port in the given directory. */
  public static PostgresProcess start(Path dir) {
    PostgresProcess pg = new PostgresProcess(dir.resolve("pgdata"), freePort());
    pg.start();
    return pg;
  }

  /** The URL a service is given as db.url. */
  public String url() {
    return "postgresql://postgres:postgres@127.0.0.1:" + port + "/postgres";
  }

  public int port() {
    return port;
  }

  /** Starts the server again on the same data and port (after {@link #kill()}). */
  public void start() {
    try {
      Files.createDirectories(dataDir);
      Path work = dataDir.resolveSibling("pg-bin");
      Files.createDirectories(work);
      server = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
          .setOverrideWorkingDirectory(work.toFile()).setPort(port)
          .setPGStartupWait(Duration.ofSeconds(30))
          // Durable commits, as a production server has: a killed server loses no acknowledged write.
          .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
          .setServerConfig("full_page_writes", "on")
          .setServerConfig("listen_addresses", "127.0.0.1").start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The postmaster's process id, from its lock file in the data directory. */
  public long pid() {
    return postmasterPid(dataDir);
  }

  /** SIGKILL to the postmaster, as a crash or the OOM killer would; returns once it is gone. */
  public void kill() {
    killPostmaster(dataDir);
    try {
      server.close(); // releases the data directory's lock; its pg_ctl stop finds no server
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL to the postmaster of a data directory; returns once the OS reports it gone. */
  public static void killPostmaster(Path dataDir) {
    long pid = postmasterPid(dataDir);
    ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no postmaster " + pid));
    postmaster.destroyForcibly();
    try {
      postmaster.onExit().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("postmaster " + pid + " still alive after SIGKILL", e);
    }
  }

  public static long postmasterPid(Path dataDir) {
    try {
      return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
