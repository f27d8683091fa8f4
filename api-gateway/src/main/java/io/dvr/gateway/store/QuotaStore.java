package io.dvr.gateway.store;

import io.dvr.common.grpc.ApiError;
import io.dvr.proto.v1.Quota;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Quotas per project, Neutron's way: a limit per resource (network 100, subnet 100, port 500,
 * router 10, floatingip 50 unless an admin set another; -1 is unlimited). A create checks its
 * quota after its insert, in its transaction, under an advisory lock per (project, resource):
 * concurrent creates of one project take turns for the count, and each counts the rows the ones
 * before it committed, so together they cannot pass the limit. Ports the system makes (device
 * owner {@code network:*}: router interfaces, gateways, SNAT, floating IP and fg- ports) are not
 * the user's and do not count.
 */
public final class QuotaStore {
  /** Neutron's default quotas, in the order the API lists them. */
  public static final Map<String, Long> DEFAULTS;

  static {
    Map<String, Long> d = new LinkedHashMap<>();
    d.put("network", 100L);
    d.put("subnet", 100L);
    d.put("port", 500L);
    d.put("router", 10L);
    d.put("floatingip", 50L);
    DEFAULTS = java.util.Collections.unmodifiableMap(d);
  }

  private static final Map<String, String> COUNTS = Map.of(
      "network", "SELECT count(*) FROM networks WHERE project_id = $1",
      "subnet", "SELECT count(*) FROM subnets WHERE project_id = $1",
      "port", "SELECT count(*) FROM ports WHERE project_id = $1 AND device_owner NOT LIKE 'network:%'",
      "router", "SELECT count(*) FROM routers WHERE project_id = $1",
      "floatingip", "SELECT count(*) FROM floating_ips WHERE project_id = $1");
  /** Seed of the advisory lock keys of the quota counts. */
  private static final long LOCK_SEED = 0x51554f54L; // "QUOT"

  /**
   * Refuses, with RESOURCE_EXHAUSTED naming the quota, a create that took the project past its
   * limit; call it after the insert, in the create's transaction.
   */
  public Future<Void> enforce(Tx tx, String project, String resource) {
    return limit(tx, project, resource).compose(limit -> enforce(tx, project, resource, limit));
  }

  /**
   * {@link #enforce(Tx, String, String)} with the limit already read ({@link #limit}, asked for
   * before the insert without waiting): only the lock and the count, sent at once.
   */
  Future<Void> enforce(Tx tx, String project, String resource, long limit) {
    if (limit < 0) {
      return Future.succeededFuture();
    }
    // Lock and count go at once (run in order by the server: the count once the lock is held).
    Future<?> locked = tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, " + LOCK_SEED + "))",
        project + "/" + resource);
    Future<java.util.Optional<Row>> counted = tx.one(COUNTS.get(resource), project);
    return locked.compose(v -> counted).map(row -> {
      long held = row.get().getLong(0);
      if (held > limit) {
        throw ApiError.exhausted("quota exceeded for " + resource + ": " + (held - 1) + " of " + limit
            + " in project " + project);
      }
      return null;
    });
  }

  /** How far a project is past its port quota: its limit, the ports it holds now and how many too many. */
  public record Excess(long limit, long held, long excess) {}

  /**
   * The port quota of each project that has one (a project without a limit is left out). Read
   * before a batch's inserts, without waiting for it, so that {@link #overPortQuota} costs no round
   * trip when no project of the batch has a limit.
   */
  public Future<Map<String, Long>> portLimits(Tx tx, java.util.Collection<String> projects) {
    String[] sorted = projects.stream().distinct().sorted().toArray(String[]::new);
    if (sorted.length == 0) {
      return Future.succeededFuture(Map.of());
    }
    return tx.all("SELECT p, coalesce(q.quota_limit, $2) AS lim FROM unnest($1::text[]) p"
            + " LEFT JOIN quotas q ON q.project_id = p AND q.resource = 'port' ORDER BY p", sorted, DEFAULTS.get("port"))
        .map(rows -> {
          Map<String, Long> limits = new LinkedHashMap<>();
          rows.stream().filter(r -> r.getLong("lim") >= 0).forEach(r -> limits.put(r.getString("p"), r.getLong("lim")));
          return limits;
        });
  }

  /**
   * For a batch of port creates, after their inserts in its transaction: of {@code projects}, those
   * now past their port quota ({@code limits}: {@link #portLimits}). Under the same advisory lock
   * per project as {@link #enforce}, taken in a fixed (sorted) order; the projects without a limit
   * take no lock and count nothing.
   */
  public Future<Map<String, Excess>> overPortQuota(Tx tx, java.util.Collection<String> projects,
      Map<String, Long> allLimits) {
    Map<String, Long> limits = new java.util.TreeMap<>();
    projects.stream().filter(allLimits::containsKey).forEach(p -> limits.put(p, allLimits.get(p)));
    if (limits.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    // The locks and the count go at once: the server runs them in order on the connection, so
    // the count runs once every lock is held, and the whole is one round trip.
    Future<Void> locked = Future.succeededFuture();
    for (String project : limits.keySet()) {
      Future<Void> lock = tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, " + LOCK_SEED
          + "))", project + "/port").mapEmpty();
      locked = locked.compose(v -> lock);
    }
    Future<List<Row>> counted = tx.all("SELECT project_id, count(*) AS held FROM ports WHERE project_id = ANY($1)"
        + " AND device_owner NOT LIKE 'network:%' GROUP BY project_id", (Object) limits.keySet().toArray(String[]::new));
    return locked.compose(v -> counted).map(counts -> {
      Map<String, Excess> over = new LinkedHashMap<>();
      for (Row r : counts) {
        long limit = limits.get(r.getString("project_id"));
        long held = r.getLong("held");
        if (held > limit) {
          over.put(r.getString("project_id"), new Excess(limit, held, held - limit));
        }
      }
      return over;
    });
  }

  /** The project's limit for a resource: an admin's, else Neutron's default (-1: none). */
  Future<Long> limit(Tx tx, String project, String resource) {
    return tx.one("SELECT quota_limit FROM quotas WHERE project_id = $1 AND resource = $2", project, resource)
        .map(row -> row.map(r -> r.getLong(0)).orElse(DEFAULTS.get(resource)));
  }

  /** The project's limits. */
  public Future<Quota> limits(Tx tx, String project) {
    return tx.all("SELECT resource, quota_limit FROM quotas WHERE project_id = $1", project).map(rows -> {
      Map<String, Long> values = new LinkedHashMap<>(DEFAULTS);
      for (Row r : rows) {
        values.put(r.getString("resource"), r.getLong("quota_limit"));
      }
      return quota(project, values);
    });
  }

  /** What the project holds now, counted as the quotas count. */
  public Future<Quota> usage(Tx tx, String project) {
    Map<String, Long> values = new LinkedHashMap<>();
    Future<Void> chain = Future.succeededFuture();
    for (String resource : DEFAULTS.keySet()) {
      chain = chain.compose(v -> tx.one(COUNTS.get(resource), project).map(row -> {
        values.put(resource, row.get().getLong(0));
        return null;
      }));
    }
    return chain.map(v -> quota(project, values));
  }

  /** Sets the given limits (null: unchanged). */
  public Future<Void> update(Tx tx, String project, Map<String, Long> limits) {
    List<io.vertx.sqlclient.Tuple> rows = limits.entrySet().stream().filter(e -> e.getValue() != null)
        .map(e -> io.vertx.sqlclient.Tuple.of(project, e.getKey(), e.getValue())).toList();
    return rows.isEmpty() ? Future.succeededFuture()
        : tx.batch("INSERT INTO quotas(project_id, resource, quota_limit) VALUES ($1, $2, $3)"
            + " ON CONFLICT (project_id, resource) DO UPDATE SET quota_limit = EXCLUDED.quota_limit, updated_at = now()",
            rows).mapEmpty();
  }

  private static Quota quota(String project, Map<String, Long> v) {
    return Quota.newBuilder().setProjectId(project).setNetwork(v.get("network")).setSubnet(v.get("subnet"))
        .setPort(v.get("port")).setRouter(v.get("router")).setFloatingip(v.get("floatingip")).build();
  }
}
