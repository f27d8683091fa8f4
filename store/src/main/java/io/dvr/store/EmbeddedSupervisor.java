package io.dvr.store;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded PostgreSQL running: when the database stops answering and the server's
 * postmaster died (killed, crashed: its postmaster.pid is left behind naming a process that is
 * gone), starts it again on the same data directory and port, on a worker thread, one attempt at a
 * time; the pool's connections find it again by themselves. A server that is alive but slow is
 * left alone, and so is one stopped cleanly (no postmaster.pid): that is a shutdown, the JVM's own
 * at exit included, not a failure to repair.
 */
final class EmbeddedSupervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSupervisor.class);

  private final Path dataDir;
  private final int port;
  private final AtomicBoolean restarting = new AtomicBoolean();
  private volatile EmbeddedServer server;
  private volatile boolean closed;

  EmbeddedSupervisor(Path dataDir, EmbeddedServer server) {
    this.dataDir = dataDir;
    this.port = server.port();
    this.server = server;
  }

  /** Called when a probe failed: starts the server again if its process died (blocking part on a worker). */
  void reviveIfDied(Vertx vertx) {
    if (closed || !restarting.compareAndSet(false, true)) {
      return;
    }
    vertx.executeBlocking(() -> {
      if (closed || !postmasterDied()) {
        return null;
      }
      LOG.warn("the embedded PostgreSQL on {} died; starting it again on port {}", dataDir, port);
      try {
        server.close(); // frees its hold on the data directory; there is no server left to stop
      } catch (RuntimeException e) {
        LOG.debug("closing the dead embedded PostgreSQL", e);
      }
      server = EmbeddedServer.start(dataDir, port);
      if (closed) {
        server.close(); // the database was closed while it started
        return null;
      }
      LOG.info("the embedded PostgreSQL on {} runs again on port {}", dataDir, port);
      return null;
    }, false).onComplete(res -> {
      restarting.set(false);
      if (res.failed()) {
        LOG.error("could not start the embedded PostgreSQL on {} again; trying at the next failed probe", dataDir,
            res.cause());
      }
    });
  }

  /** Whether the data directory's postmaster.pid names a process that no longer runs. */
  boolean postmasterDied() {
    List<String> lines;
    try {
      lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
    } catch (IOException e) {
      return false; // no lock file: stopped cleanly, or never started here
    }
    try {
      long pid = Long.parseLong(lines.get(0).trim());
      return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    } catch (RuntimeException e) {
      return false; // being written by a server starting now
    }
  }

  @Override
  public void close() {
    closed = true;
    server.close();
  }
}
