package io.dvr.store;

import io.dvr.common.grpc.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.TransactionRollbackException;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs units of work against PostgreSQL. A write runs in one transaction together with its
 * outbox rows, so that a committed change always has its event. Constraint violations that
 * race past the checks become precise API errors here; what a unique constraint means is told by
 * the service that owns the table. A database that cannot be reached is UNAVAILABLE in plain words
 * (the cause stays in the log): the caller may retry once it is back.
 */
public final class Store {
  private final Pool pool;
  /** Unique constraints and what a violation means to the caller. */
  private final Map<String, String> uniqueMeanings;
  /** Publishes a write's events right after its commit; null: the relay alone publishes them. */
  private final OutboxPublisher publisher;

  public Store(Pool pool) {
    this(pool, Map.of());
  }

  /** A store that explains violations of the given unique constraints with the given sentences. */
  public Store(Pool pool, Map<String, String> uniqueMeanings) {
    this(pool, uniqueMeanings, null);
  }

  Store(Pool pool, Map<String, String> uniqueMeanings, OutboxPublisher publisher) {
    this.pool = pool;
    this.uniqueMeanings = Map.copyOf(uniqueMeanings);
    this.publisher = publisher;
  }

  /**
   * The same store, whose writes publish their events on the bus right after their commit instead
   * of waking the relay (one hop and one relay transaction less between a change and its
   * receivers). The outbox rows stay: the relay publishes those its writer has not marked published
   * within {@code graceMillis} ({@code outbox.writer-grace-ms}), so a change whose writer died
   * between commit and publish still leaves. Its rows are marked published {@code markDelayMillis}
   * after they left ({@code outbox.mark-delay-ms}), several at once.
   */
  public Store publishingAfterCommit(Vertx vertx, long graceMillis, long markDelayMillis) {
    return new Store(pool, uniqueMeanings, new OutboxPublisher(vertx, pool, graceMillis, markDelayMillis));
  }

  /** The same store with the given publisher (tests: a writer that dies between commit and publish). */
  Store publishingWith(OutboxPublisher publisher) {
    return new Store(pool, uniqueMeanings, publisher);
  }

  public Pool pool() {
    return pool;
  }

  public <T> Future<T> write(Function<Tx, Future<T>> work) {
    long grace = publisher == null ? 0 : publisher.graceMillis();
    return pool.withConnection(conn -> inTransaction(conn, c -> {
      Tx tx = new Tx(c);
      return work.apply(tx).compose(result -> Outbox.append(tx, grace).map(written -> new Committed<>(result, written)));
    })).map(committed -> {
      if (publisher != null) {
        publisher.committed(committed.written());
      }
      return committed.result();
    }).recover(this::translate);
  }

  /**
   * The work in a transaction on {@code conn}, as {@code Pool.withTransaction} runs it, except that
   * its first statements follow BEGIN without waiting for BEGIN's answer (pipelined, in order on
   * the connection): one round trip less per write. A statement that fails marks the transaction
   * failed, so its end is a ROLLBACK whatever the work makes of the failure; a BEGIN that fails
   * fails the statements behind it.
   */
  private static <T> Future<T> inTransaction(SqlConnection conn, Function<SqlConnection, Future<T>> work) {
    Future<Transaction> begun = conn.begin();
    Future<T> done;
    try {
      done = work.apply(conn);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    Future<T> result = done;
    return begun.compose(tx -> result.compose(r -> tx.commit().map(r), err -> err instanceof TransactionRollbackException
        ? Future.failedFuture(err) : tx.rollback().transform(ignored -> Future.<T>failedFuture(err))));
  }

  private record Committed<T>(T result, Outbox.Written written) {}

  public <T> Future<T> read(Function<Tx, Future<T>> work) {
    return work.apply(new Tx(pool)).recover(this::translate);
  }

  /**
   * Reads in one REPEATABLE READ, read-only transaction: every statement of the work sees the
   * same snapshot (a consistent view across several queries; no write is possible).
   */
  public <T> Future<T> snapshot(Function<Tx, Future<T>> work) {
    // BEGIN, the SET and the work's statements go without waiting for each other's answers
    // (pipelined, in order): a failed SET fails them too, and its own error is the one returned.
    return pool.withConnection(conn -> inTransaction(conn, c -> {
      Future<?> readOnly = c.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute();
      Future<T> done = work.apply(new Tx(c));
      return readOnly.compose(v -> done);
    })).recover(this::translate);
  }

  private <T> Future<T> translate(Throwable err) {
    if (DatabaseFailures.unreachable(err)) {
      return Future.failedFuture(ApiError.unavailable(DatabaseFailures.UNAVAILABLE, err));
    }
    if (err instanceof PgException pg && "23505".equals(pg.getSqlState())) {
      String constraint = pg.getConstraint();
      String meaning = constraint == null ? null : uniqueMeanings.get(constraint);
      if (meaning == null && constraint != null && constraint.endsWith("_pkey")) {
        meaning = "a resource with this id already exists";
      }
      return Future.failedFuture(ApiError.alreadyExists(
          (meaning != null ? meaning : "duplicate value") + " (" + pg.getDetail() + ")"));
    }
    if (err instanceof PgException pg && "40P01".equals(pg.getSqlState())) {
      return Future.failedFuture(ApiError.unavailable("concurrent update conflict; retry the request"));
    }
    return Future.failedFuture(err);
  }
}
