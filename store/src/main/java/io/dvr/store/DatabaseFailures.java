package io.dvr.store;

import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;

/**
 * Tells a database that cannot be reached (refused, gone mid-call, shutting down or starting up)
 * from one that refused a statement: only the first is worth retrying unchanged.
 */
final class DatabaseFailures {
  static final String UNAVAILABLE = "the database is unavailable; retry later";
  /** admin_shutdown, crash_shutdown, cannot_connect_now (starting up, shutting down, recovering). */
  private static final Set<String> SERVER_GOING = Set.of("57P01", "57P02", "57P03");

  private DatabaseFailures() {}

  static boolean unreachable(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SocketException || t instanceof ClosedChannelException
          || t instanceof ClosedConnectionException) {
        return true;
      }
      if (t instanceof DatabaseException db && db.getSqlState() != null
          && (db.getSqlState().startsWith("08") || SERVER_GOING.contains(db.getSqlState()))) {
        return true;
      }
    }
    return false;
  }
}
