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
 * postmaster is gone (killed, crashed, stopped from outside), starts it again on the same data
 * directory and port, on a worker thread, one attempt at a time; the pool's connections find it
 * again by themselves. A server that is alive but slow is left alone.
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

  int port() {
    return port;
  }

  /** Called when a probe failed: starts the server again if its process is gone (blocking part on a worker). */
  void reviveIfGone(Vertx vertx) {
    if (closed || !restarting.compareAndSet(false, true)) {
      return;
    }
    vertx.executeBlocking(() -> {
      if (closed || postmasterAlive()) {
        return null;
      }
      LOG.warn("the embedded PostgreSQL on {} is gone; starting it again on port {}", dataDir, port);
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

  /** Whether the process named in the data directory's postmaster.pid still runs. */
  boolean postmasterAlive() {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
      long pid = Long.parseLong(lines.get(0).trim());
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (IOException | RuntimeException e) {
      return false; // no lock file (clean stop) or an unreadable one: no server on this directory
    }
  }

  @Override
  public void close() {
    closed = true;
    server.close();
  }
}
