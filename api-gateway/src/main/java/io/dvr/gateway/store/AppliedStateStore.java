package io.dvr.gateway.store;

import com.google.protobuf.Timestamp;
import io.dvr.proto.v1.AppliedRouter;
import io.dvr.proto.v1.AppliedStatus;
import io.dvr.proto.v1.HostApplied;
import io.dvr.proto.v1.Status;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What the hosts applied (tables {@code host_applied}, {@code host_applied_routers}), as their
 * agents report it, compared with the last change of each router (table {@code changes}): a host
 * is in sync on a router when the copy it applied was read from a snapshot that sees the router's
 * last change.
 */
public final class AppliedStateStore {

  /** A change: the transaction that made it, and the routers and hosts it named. */
  public record Change(long changeId, int resourceType, List<UUID> routerIds, List<String> hosts) {
    public boolean port() {
      return resourceType == io.dvr.proto.v1.ResourceType.RESOURCE_TYPE_PORT_VALUE;
    }

    public boolean floatingIp() {
      return resourceType == io.dvr.proto.v1.ResourceType.RESOURCE_TYPE_FLOATING_IP_VALUE;
    }
  }

  /** What one host applied, as last reported. */
  public record HostRecord(String host, long generation, List<Long> inProgress, List<RouterRecord> routers,
      Optional<Instant> appliedAt, String lastError, Optional<Instant> failedAt) {
    public boolean failing() {
      return failedAt.isPresent();
    }

    public Optional<RouterRecord> router(UUID id) {
      return routers.stream().filter(r -> r.routerId().equals(id)).findFirst();
    }

    /** Whether the host part of what it applied sees the change. */
    public boolean sees(long changeId) {
      return appliedAt.isPresent() && AppliedStateStore.sees(generation, inProgress, changeId);
    }
  }

  /** One router a host holds: the snapshot its copy was read from. */
  public record RouterRecord(UUID routerId, long generation, List<Long> inProgress, boolean snatHere) {
    public boolean sees(long changeId) {
      return AppliedStateStore.sees(generation, inProgress, changeId);
    }
  }

  /** Whether a snapshot sees the change made by transaction {@code changeId} (as SQL's dvr_sees). */
  public static boolean sees(long generation, List<Long> inProgress, long changeId) {
    return changeId < generation && !inProgress.contains(changeId);
  }

  /**
   * Replaces what the host reported before; returns, for each router whose copy now sees the
   * router's last change and did not before, the seconds from that change's commit to now.
   */
  public Future<List<Double>> record(Tx tx, HostApplied report) {
    List<UUID> ids = report.getRoutersList().stream().map(r -> UUID.fromString(r.getRouterId())).toList();
    // The read of what the host held before and the replace go at once: the server runs the read
    // first (it sees the old rows), and the whole report is one round trip.
    Future<List<Row>> held = tx.all("SELECT c.resource_id, c.change_id, extract(epoch FROM clock_timestamp()"
        + " - c.committed_at)::float8 AS age, ar.generation, ar.in_progress FROM changes c LEFT JOIN"
        + " host_applied_routers ar ON ar.host = $1 AND ar.router_id = c.resource_id WHERE c.resource_id = ANY($2)",
        report.getHost(), ids.toArray(UUID[]::new));
    Future<Void> replaced = replace(tx, report);
    return held.compose(rows -> {
      List<Double> newlySeen = new ArrayList<>();
      for (Row row : rows) {
        long change = row.getLong("change_id");
        boolean before = row.getLong("generation") != null
            && sees(row.getLong("generation"), Arrays.asList(row.getArrayOfLongs("in_progress")), change);
        AppliedRouter now = report.getRouters(ids.indexOf(row.getUUID("resource_id")));
        if (!before && sees(now.getGeneration(), now.getInProgressList(), change)) {
          newlySeen.add(row.getDouble("age"));
        }
      }
      return replaced.map(newlySeen);
    });
  }

  private Future<Void> replace(Tx tx, HostApplied report) {
    List<Tuple> routers = new ArrayList<>();
    for (AppliedRouter r : report.getRoutersList()) {
      routers.add(Tuple.of(report.getHost(), UUID.fromString(r.getRouterId()), r.getGeneration(),
          r.getInProgressList().toArray(Long[]::new), r.getSnatHere()));
    }
    Future<Void> host = tx.query("INSERT INTO host_applied(host, generation, in_progress, applied_at, last_error, failed_at, "
            + "reported_at) VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT (host) DO UPDATE SET "
            + "generation = EXCLUDED.generation, in_progress = EXCLUDED.in_progress, applied_at = EXCLUDED.applied_at, "
            + "last_error = EXCLUDED.last_error, "
            + "failed_at = EXCLUDED.failed_at, reported_at = now()",
        report.getHost(), report.getGeneration(), report.getInProgressList().toArray(Long[]::new),
        time(report.hasAppliedAt() ? report.getAppliedAt() : null), report.getError(),
        time(report.hasFailedAt() ? report.getFailedAt() : null)).mapEmpty();
    // The three go at once, run in this order by the server (pipelined): one round trip.
    Future<?> cleared = tx.query("DELETE FROM host_applied_routers WHERE host = $1", report.getHost());
    Future<Void> inserted = routers.isEmpty() ? Future.succeededFuture() : tx.batch(
        "INSERT INTO host_applied_routers(host, router_id, generation, in_progress, snat_here) "
            + "VALUES ($1, $2, $3, $4, $5)", routers);
    return host.compose(v -> cleared).compose(v -> inserted);
  }

  /** Hosts whose last apply failed or that hold a router copy not seeing the router's last change. */
  public Future<Long> hostsOutOfSync(Tx tx) {
    return tx.one("SELECT count(*) AS n FROM host_applied h WHERE h.failed_at IS NOT NULL OR EXISTS ("
            + "SELECT 1 FROM host_applied_routers ar JOIN changes c ON c.resource_id = ar.router_id "
            + "WHERE ar.host = h.host AND NOT dvr_sees(ar.generation, ar.in_progress, c.change_id))")
        .map(row -> row.orElseThrow().getLong("n"));
  }

  /** The last change of a resource (or of a router, by any change that named it). */
  public Future<Optional<Change>> change(Tx tx, UUID resourceId) {
    return tx.one("SELECT change_id, resource_type, router_ids, hosts FROM changes WHERE resource_id = $1", resourceId)
        .map(row -> row.map(r -> new Change(r.getLong("change_id"), r.getInteger("resource_type"),
            Arrays.asList(r.getArrayOfUUIDs("router_ids")),
            Arrays.asList(r.getArrayOfStrings("hosts")))));
  }

  /** What the given hosts, and every host holding one of {@code routers}, last reported. */
  public Future<List<HostRecord>> hosts(Tx tx, Collection<String> hosts, Collection<UUID> routers) {
    return tx.all("SELECT h.host, h.generation, h.in_progress, h.applied_at, h.last_error, h.failed_at, "
            + "(SELECT coalesce(json_agg(json_build_object('router_id', ar.router_id, 'generation', ar.generation, "
            + "'in_progress', ar.in_progress, 'snat_here', ar.snat_here)), '[]') FROM host_applied_routers ar "
            + "WHERE ar.host = h.host) AS routers FROM host_applied h "
            + "WHERE h.host = ANY($1) OR EXISTS (SELECT 1 FROM host_applied_routers x WHERE x.host = h.host "
            + "AND x.router_id = ANY($2)) ORDER BY h.host",
        hosts.toArray(String[]::new), routers.toArray(UUID[]::new))
        .map(rows -> rows.stream().map(AppliedStateStore::host).toList());
  }

  /** Per router a host holds, or per host a router has: desired vs applied, in sync, last apply and error. */
  public static AppliedStatus status(UUID router, Optional<Change> last, HostRecord host, Optional<RouterRecord> held,
      boolean snat) {
    long desired = last.map(Change::changeId).orElse(0L);
    boolean inSync = held.isPresent() && (last.isEmpty() || held.get().sees(desired));
    AppliedStatus.Builder b = AppliedStatus.newBuilder().setRouterId(router.toString()).setHost(host.host())
        .setDesiredGeneration(desired).setAppliedGeneration(held.map(RouterRecord::generation).orElse(0L))
        .setInSync(inSync).setLastError(host.lastError())
        .setSnat(snat || held.map(RouterRecord::snatHere).orElse(false))
        .setStatus(inSync ? Status.STATUS_ACTIVE : host.failing() ? Status.STATUS_ERROR : Status.STATUS_BUILD);
    host.appliedAt().ifPresent(at -> b.setLastAppliedAt(ts(at)));
    host.failedAt().ifPresent(at -> b.setLastErrorAt(ts(at)));
    if (!host.failing()) {
      b.setLastError(""); // the last apply succeeded
    }
    return b.build();
  }

  /** A report as it came from the host's agent (published by the instance that stored it). */
  public static HostRecord of(HostApplied r) {
    List<RouterRecord> routers = r.getRoutersList().stream().map(a -> new RouterRecord(UUID.fromString(a.getRouterId()),
        a.getGeneration(), List.copyOf(a.getInProgressList()), a.getSnatHere())).toList();
    return new HostRecord(r.getHost(), r.getGeneration(), List.copyOf(r.getInProgressList()), routers,
        r.hasAppliedAt() ? Optional.of(instant(r.getAppliedAt())) : Optional.empty(), r.getError(),
        r.hasFailedAt() ? Optional.of(instant(r.getFailedAt())) : Optional.empty());
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** The host a port is bound to now, when it is a VM port (it must then carry the port's routers). */
  public Future<Optional<String>> vmPortHost(Tx tx, UUID port) {
    return tx.one("SELECT binding_host FROM ports WHERE id = $1 AND device_owner LIKE 'compute:%' AND binding_host <> ''",
        port).map(row -> row.map(r -> r.getString("binding_host")));
  }

  /** A host that never reported: nothing applied. */
  public static HostRecord never(String host) {
    return new HostRecord(host, 0, List.of(), List.of(), Optional.empty(), "", Optional.empty());
  }

  private static HostRecord host(Row r) {
    List<RouterRecord> routers = new ArrayList<>();
    for (Object o : r.getJsonArray("routers")) {
      io.vertx.core.json.JsonObject j = (io.vertx.core.json.JsonObject) o;
      List<Long> inProgress = new ArrayList<>();
      j.getJsonArray("in_progress").forEach(x -> inProgress.add(((Number) x).longValue()));
      routers.add(new RouterRecord(UUID.fromString(j.getString("router_id")), j.getLong("generation"), inProgress,
          j.getBoolean("snat_here")));
    }
    return new HostRecord(r.getString("host"), r.getLong("generation"), Arrays.asList(r.getArrayOfLongs("in_progress")),
        routers, Optional.ofNullable(r.getOffsetDateTime("applied_at")).map(OffsetDateTime::toInstant),
        r.getString("last_error"), Optional.ofNullable(r.getOffsetDateTime("failed_at")).map(OffsetDateTime::toInstant));
  }

  private static OffsetDateTime time(Timestamp t) {
    return t == null ? null : Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).atOffset(ZoneOffset.UTC);
  }

  private static Timestamp ts(Instant at) {
    return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
  }
}
