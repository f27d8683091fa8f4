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
 * race past the checks become precise API errors here.
 */
public final class Store {
  /** Unique constraints and what a violation means to the caller. */
  private static final Map<String, String> UNIQUE_MEANING = Map.of(
      "ports_mac_address_key", "mac_address is already in use",
      "ip_allocations_pkey", "the IP address is already in use on its subnet",
      "router_interfaces_pkey", "the subnet is already attached to the router",
      "router_interfaces_port_key", "the port is already a router interface",
      "floating_ips_fixed_key", "the fixed IP already has a floating IP",
      "agents_host_type_key", "an agent of this type already exists on the host");

  private final Pool pool;

  public Store(Pool pool) {
    this.pool = pool;
  }

  public Pool pool() {
    return pool;
  }

  public <T> Future<T> write(Function<Tx, Future<T>> work) {
    return pool.withTransaction(conn -> {
      Tx tx = new Tx(conn);
      return work.apply(tx).compose(result -> Outbox.append(tx).map(result));
    }).recover(Store::translate);
  }

  public <T> Future<T> read(Function<Tx, Future<T>> work) {
    return work.apply(new Tx(pool)).recover(Store::translate);
  }

  private static <T> Future<T> translate(Throwable err) {
    if (err instanceof PgException pg && "23505".equals(pg.getSqlState())) {
      String constraint = pg.getConstraint();
      String meaning = UNIQUE_MEANING.get(constraint);
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
