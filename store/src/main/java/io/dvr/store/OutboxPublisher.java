package io.dvr.store;

import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's side of the outbox: publishes a committed change's events at once, then marks their
 * rows published so the relay leaves them. A mark waits {@code markDelayMillis} first, well inside
 * the writer's grace: the UPDATE and its commit then come after the receivers' work on the change
 * (the hosts applying it), not beside it, and the rows published meanwhile share it. One mark at
 * a time. A mark that fails only means the relay publishes the rows once more after the writer's
 * grace (receivers keep the latest sequence per resource).
 */
class OutboxPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxPublisher.class);

  private final Vertx vertx;
  /** Where events leave and marks are made: a context of the publisher's own, outside the writer's trace. */
  private final ContextInternal own;
  private final Pool pool;
  private final long graceMillis;
  private final long markDelayMillis;
  private final OutboxMeters meters = OutboxMeters.SHARED;
  private final List<Long> unmarked = new ArrayList<>();
  private boolean marking;

  OutboxPublisher(Vertx vertx, Pool pool, long graceMillis, long markDelayMillis) {
    if (graceMillis <= 0) {
      throw new IllegalArgumentException("outbox.writer-grace-ms must be positive, not " + graceMillis);
    }
    if (markDelayMillis < 0 || markDelayMillis * 4 > graceMillis) {
      throw new IllegalArgumentException("outbox.mark-delay-ms is " + markDelayMillis
          + "; it must be 0 or more and at most a quarter of outbox.writer-grace-ms (" + graceMillis + ")");
    }
    this.markDelayMillis = markDelayMillis;
    this.vertx = vertx;
    this.own = ((ContextInternal) vertx.getOrCreateContext()).duplicate();
    this.pool = pool;
    this.graceMillis = graceMillis;
  }

  /** How long the relay leaves a row to its writer. */
  long graceMillis() {
    return graceMillis;
  }

  /**
   * Called once the change committed: its events leave now, in their order, from the publisher's
   * own context (as the relay's would: each in its change's trace, not in whatever the writer's
   * caller is doing), one event-loop hop away.
   */
  void committed(Outbox.Written written) {
    if (!written.events().isEmpty()) {
      own.runOnContext(v -> publish(written));
    }
  }

  private void publish(Outbox.Written written) {
    written.events().forEach(e -> {
      OutboxPublication.publish(vertx, e, written.trace(), meters);
      // With the receivers' lines: how long a change waits between its commit and its readers.
      LOG.debug("outbox: published {} {} (sequence {})", e.getResourceType(), e.getResourceId(), e.getSequence());
    });
    synchronized (this) {
      written.events().forEach(e -> unmarked.add(e.getSequence()));
      if (marking) {
        return;
      }
      marking = true;
    }
    markLater();
  }

  /** On the publisher's own context: the next mark after the delay. */
  private void markLater() {
    if (markDelayMillis == 0) {
      markPublished();
    } else {
      vertx.setTimer(markDelayMillis, t -> markPublished());
    }
  }

  private void markPublished() {
    Long[] ids;
    synchronized (this) {
      if (unmarked.isEmpty()) {
        marking = false;
        return;
      }
      ids = unmarked.toArray(Long[]::new);
      unmarked.clear();
    }
    pool.preparedQuery("UPDATE outbox SET published_at = now() WHERE id = ANY($1) AND published_at IS NULL")
        .execute(Tuple.of(ids))
        .onFailure(err -> LOG.debug("outbox: marking {} published row(s) failed; the relay publishes them again: {}",
            ids.length, err.toString()))
        .onComplete(v -> markLater());
  }
}
