package io.dvr.store;

import io.dvr.common.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/** Writes a unit of work's events into the outbox table, in its transaction, and wakes the relay. */
final class Outbox {
  static final String CHANNEL = "dvr_outbox";

  private Outbox() {}

  static Future<Void> append(Tx tx) {
    if (tx.events().isEmpty()) {
      return Future.succeededFuture();
    }
    // The change's trace goes with its events (empty while tracing is off).
    String trace = Tracing.currentTraceparent();
    List<Tuple> rows = tx.events().stream()
        .map(e -> Tuple.of(Buffer.buffer(e.toByteArray()), trace))
        .toList();
    // NOTIFY inside the transaction is delivered at commit, never before.
    return tx.batch("INSERT INTO outbox(payload, trace_context) VALUES ($1, $2)", rows)
        .compose(v -> tx.query("SELECT pg_notify('" + CHANNEL + "', '')"))
        .mapEmpty();
  }
}
