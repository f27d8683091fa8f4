package io.dvr.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.dvr.proto.v1.ResourceChanged;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox rows on the event bus and marks them published in the same transaction. Wakes
 * on PostgreSQL NOTIFY and polls as a safety net. Rows are claimed with SKIP LOCKED so several
 * api-gateway instances share the work.
 *
 * <p>A writer that publishes its own events right after its commit ({@link Store#publishingAfterCommit})
 * sends no NOTIFY and stamps its rows {@code relay_after} (its grace): the relay takes such a row
 * only once the grace has passed without the writer marking it published, i.e. when the writer died
 * between its commit and its publish (or could not mark it). Then the event leaves twice at worst;
 * receivers keep the latest sequence per resource ({@code LatestChanges}).
 *
 * <p>A published row is kept for {@code retainMillis}, then deleted by the poll. The bus sends a
 * publish after the call returns (it looks up the receivers first), so a relay killed right after
 * its commit may not have got the event out of its process; a relay starting publishes every row
 * still kept once more. Receivers tolerate repeats (events are hints; state is read back).
 */
public final class OutboxRelay {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final int BATCH = 500;

  private final Vertx vertx;
  private final Pool pool;
  private final PgConnectOptions listenOptions;
  private final long pollMillis;
  private final long retainMillis;
  private final OutboxMeters meters = OutboxMeters.SHARED;
  private PgConnection listener;
  private long timerId = -1;
  private long relistenTimerId = -1;
  private boolean draining;
  private boolean again;
  private boolean stopped;
  /** Rounds fail while the database is gone: said once when it starts and once when it ends. */
  private boolean failing;

  public OutboxRelay(Vertx vertx, Pool pool, PgConnectOptions listenOptions, long pollMillis, long retainMillis) {
    this.vertx = vertx;
    this.pool = pool;
    this.listenOptions = listenOptions;
    this.pollMillis = pollMillis;
    this.retainMillis = retainMillis;
  }

  public Future<Void> start() {
    timerId = vertx.setPeriodic(pollMillis, id -> {
      drain();
      forgetPublished();
      countPending();
    });
    return republishKept().recover(err -> {
      LOG.warn("outbox: could not mark the kept rows for publishing again: {}", err.toString());
      return Future.succeededFuture();
    }).compose(v -> listen()).recover(err -> {
      LOG.warn("outbox LISTEN failed ({}); polling every {} ms until it is back", err.getMessage(), pollMillis);
      relisten();
      return Future.succeededFuture();
    }).onComplete(v -> drain());
  }

  /** Rows published shortly before this relay started may not have left the relay that died. */
  private Future<Void> republishKept() {
    return pool.query("UPDATE outbox SET published_at = NULL WHERE published_at IS NOT NULL").execute()
        .map(rows -> {
          if (rows.rowCount() > 0) {
            LOG.info("outbox: publishing the {} most recent event(s) once more (they may not have left the last relay)",
                rows.rowCount());
          }
          return null;
        });
  }

  /** Rows waiting to be published, for {@code dvr_outbox_pending}; a failure waits for the next poll. */
  private void countPending() {
    pool.query("SELECT count(*) FROM outbox WHERE published_at IS NULL AND (relay_after IS NULL OR relay_after <= now())")
        .execute()
        .onSuccess(rows -> meters.pending(rows.iterator().next().getLong(0)));
  }

  /** Deletes rows published longer than the retention ago; a failure waits for the next poll. */
  private void forgetPublished() {
    pool.preparedQuery("DELETE FROM outbox WHERE published_at < now() - $1 * interval '1 millisecond'")
        .execute(io.vertx.sqlclient.Tuple.of(retainMillis))
        .onFailure(err -> LOG.debug("outbox: deleting published rows failed: {}", err.toString()));
  }

  private Future<Void> listen() {
    return PgConnection.connect(vertx, listenOptions).compose(conn -> {
      listener = conn;
      conn.notificationHandler(n -> drain());
      conn.closeHandler(v -> {
        listener = null;
        if (!stopped) {
          LOG.warn("outbox LISTEN connection closed; polling every {} ms until it is back", pollMillis);
          relisten();
        }
      });
      return conn.query("LISTEN " + Outbox.CHANNEL).execute().mapEmpty();
    });
  }

  /** Tries LISTEN again every poll interval until it succeeds or the relay stops (the poll covers the gap). */
  private void relisten() {
    relistenTimerId = vertx.setTimer(pollMillis, id -> {
      relistenTimerId = -1;
      if (stopped || listener != null) {
        return;
      }
      listen().onSuccess(v -> {
        LOG.info("outbox LISTEN restored");
        drain();
      }).onFailure(e -> relisten());
    });
  }

  /** Publishes everything pending; concurrent calls coalesce into one more round. */
  public void drain() {
    if (stopped) {
      return;
    }
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    again = false;
    publishBatch().onComplete(res -> {
      draining = false;
      if (res.failed()) {
        if (!failing) {
          LOG.warn("outbox relay round failed; the rows stay and are tried again every {} ms: {}", pollMillis,
              res.cause().toString());
        }
        failing = true;
        return;
      }
      if (failing) {
        LOG.info("outbox relay publishes again");
        failing = false;
      }
      if (res.result() == BATCH || again) {
        drain();
      }
    });
  }

  private Future<Integer> publishBatch() {
    return pool.withTransaction(conn -> conn
        .preparedQuery("SELECT id, payload, committed_at, trace_context FROM outbox WHERE published_at IS NULL"
            + " AND (relay_after IS NULL OR relay_after <= now()) ORDER BY id LIMIT "
            + BATCH + " FOR UPDATE SKIP LOCKED")
        .execute()
        .compose(rows -> {
          List<Long> ids = new ArrayList<>();
          for (Row row : rows) {
            publish(row);
            ids.add(row.getLong("id"));
          }
          if (ids.isEmpty()) {
            return Future.succeededFuture(0);
          }
          return conn.preparedQuery("UPDATE outbox SET published_at = now() WHERE id = ANY($1)")
              .execute(io.vertx.sqlclient.Tuple.of(ids.toArray(new Long[0])))
              .map(ids.size());
        }));
  }

  private void publish(Row row) {
    try {
      OffsetDateTime at = row.getOffsetDateTime("committed_at");
      ResourceChanged event = ResourceChanged.parseFrom(row.getBuffer("payload").getBytes()).toBuilder()
          .setSequence(row.getLong("id"))
          .setCommittedAt(Timestamp.newBuilder().setSeconds(at.toEpochSecond()).setNanos(at.getNano()))
          .build();
      OutboxPublication.publish(vertx, event, row.getString("trace_context"), meters);
    } catch (InvalidProtocolBufferException e) {
      LOG.error("outbox row {} holds no valid event; dropping it", row.getLong("id"), e);
    }
  }

  /** Timers still pending: the poll while running, and a LISTEN retry while LISTEN is down; none once stopped. */
  public int activeTimers() {
    return (timerId >= 0 ? 1 : 0) + (relistenTimerId >= 0 ? 1 : 0);
  }

  public Future<Void> stop() {
    stopped = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
    if (relistenTimerId >= 0) {
      vertx.cancelTimer(relistenTimerId);
      relistenTimerId = -1;
    }
    return listener == null ? Future.succeededFuture() : listener.close();
  }
}
