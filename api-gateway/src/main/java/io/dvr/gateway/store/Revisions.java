package io.dvr.gateway.store;

import io.dvr.common.grpc.ApiError;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import java.util.UUID;

/**
 * Neutron's {@code If-Match: revision_number=N} inside the update's own transaction: the row is
 * locked (FOR UPDATE) and its revision compared, so no other update can come between the check
 * and the write.
 */
public final class Revisions {
  /** The start of a stale revision's message; the REST face answers it with 412. */
  public static final String STALE = "revision_number constraint failed";

  public enum Table {
    NETWORK("networks"), ROUTER("routers"), PORT("ports");

    final String name;

    Table(String name) {
      this.name = name;
    }
  }

  private Revisions() {}

  /** Nothing to check when {@code expected} is null; otherwise FAILED_PRECONDITION unless the row is at it. */
  public static Future<Void> require(Tx tx, Table table, UUID id, Long expected) {
    if (expected == null) {
      return Future.succeededFuture();
    }
    return tx.one("SELECT revision FROM " + table.name + " WHERE id = $1 FOR UPDATE", id).map(row -> {
      long current = row.orElseThrow(() -> ApiError.notFound(table.name.substring(0, table.name.length() - 1),
          id.toString())).getLong("revision");
      if (current != expected) {
        throw ApiError.failedPrecondition(STALE + ": Constrained to " + expected + ", but current revision is "
            + current);
      }
      return null;
    });
  }
}
