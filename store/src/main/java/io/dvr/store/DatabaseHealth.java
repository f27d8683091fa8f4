package io.dvr.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database answers, as the servers' grpc.health.v1 reports it: a periodic
 * {@code SELECT 1} on the pool with a time limit (non-blocking, on the event loop), one at a time.
 * A failed probe makes every server of the process NOT_SERVING until a probe succeeds again; the
 * loss and the return are logged once each, the loss with its cause. Reading the state costs
 * nothing, so health checks put no load on the database.
 */
public final class DatabaseHealth {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseHealth.class);

  private final Vertx vertx;
  private final Pool pool;
  private final long timeoutMillis;
  /** Run after each failed probe (the embedded server's check for a dead process). */
  private final Runnable onFailedProbe;
  private volatile boolean serving = true;
  private boolean probing;
  private volatile long timerId = -1;

  DatabaseHealth(Vertx vertx, Pool pool, long timeoutMillis, Runnable onFailedProbe) {
    this.vertx = vertx;
    this.pool = pool;
    this.timeoutMillis = timeoutMillis;
    this.onFailedProbe = onFailedProbe;
  }

  void start(long periodMillis) {
    timerId = vertx.setPeriodic(periodMillis, id -> probe());
  }

  void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /** Whether the last probe reached the database. */
  public boolean serving() {
    return serving;
  }

  /** The readiness a server's health service asks for. */
  public Future<Boolean> check() {
    return Future.succeededFuture(serving);
  }

  private void probe() {
    if (probing || timerId < 0) {
      return;
    }
    probing = true;
    pool.query("SELECT 1").execute().timeout(timeoutMillis, TimeUnit.MILLISECONDS).onComplete(res -> {
      probing = false;
      if (timerId < 0) {
        return; // stopped meanwhile: the pool is closing
      }
      if (res.succeeded()) {
        if (!serving) {
          LOG.info("the database answers again: serving");
        }
        serving = true;
        return;
      }
      if (serving) {
        LOG.error("the database does not answer (SELECT 1 within {} ms): NOT_SERVING until it does", timeoutMillis,
            res.cause());
      }
      serving = false;
      onFailedProbe.run();
    });
  }
}
