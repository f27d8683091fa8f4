package io.dvr.store;

import io.dvr.common.grpc.ApiError;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
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

  public Store(Pool pool) {
    this(pool, Map.of());
  }

  /** A store that explains violations of the given unique constraints with the given sentences. */
  public Store(Pool pool, Map<String, String> uniqueMeanings) {
    this.pool = pool;
    this.uniqueMeanings = Map.copyOf(uniqueMeanings);
  }

  public Pool pool() {
    return pool;
  }

  public <T> Future<T> write(Function<Tx, Future<T>> work) {
    return pool.withTransaction(conn -> {
      Tx tx = new Tx(conn);
      return work.apply(tx).compose(result -> Outbox.append(tx).map(result));
    }).recover(this::translate);
  }

  public <T> Future<T> read(Function<Tx, Future<T>> work) {
    return work.apply(new Tx(pool)).recover(this::translate);
  }

  /**
   * Reads in one REPEATABLE READ, read-only transaction: every statement of the work sees the
   * same snapshot (a consistent view across several queries; no write is possible).
   */
  public <T> Future<T> snapshot(Function<Tx, Future<T>> work) {
    return pool.withTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute().compose(v -> work.apply(new Tx(conn)))).recover(this::translate);
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
