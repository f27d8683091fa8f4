package io.dvr.scheduler.store;

import io.vertx.core.Future;
import io.dvr.store.Tx;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

/**
 * Where an HA router's SNAT lives: on {@code snat.ha-hosts} alive, admin-up dvr_snat hosts (the
 * least loaded; as many as there are when fewer), exactly one of them ACTIVE and the others
 * STANDBY. Run inside a reschedule (under the router's advisory lock).
 *
 * <p>Kept: a host stays while its agent lives as a dvr_snat agent; the ACTIVE one stays active
 * (sticky) and, whatever its agent's state, stays bound while its SNAT lease holds, since it may
 * still hold the addresses. A standby on an admin-down or excluded (l3-agent-router-remove) host
 * goes; an ACTIVE one there is moved away by {@link SnatLeases} (make before break), not here.
 * A router without an ACTIVE host gets one: a standby holding a lease first, then the host with
 * the fewest active routers. Role changes raise the router's epoch.
 */
final class HaElection {
  /** The SNAT hosts after the election, and the hosts whose role changed (or that were added). */
  record Result(Set<String> hosts, Set<String> roleChanged) {}

  private final int haHosts;
  private final Function<String, String> alive;

  HaElection(int haHosts, Function<String, String> alive) {
    this.haHosts = haHosts;
    this.alive = alive;
  }

  Future<Result> bind(Tx tx, UUID routerId) {
    return tx.all("SELECT b.host, b.ha_state, b.ha_epoch, b.draining_since IS NOT NULL AS draining,"
            + " coalesce(g.id IS NOT NULL AND " + alive.apply("g") + ", false) AS alive,"
            + " coalesce(g.admin_state_up, false) AS up, coalesce(l.expires_at > now(), false) AS leased,"
            + " x.host IS NOT NULL AS excluded FROM router_snat_bindings b"
            + " LEFT JOIN agents g ON g.host = b.host AND g.agent_type = 'L3 agent' AND g.agent_mode = 'dvr_snat'"
            + " LEFT JOIN snat_leases l ON l.host = b.host"
            + " LEFT JOIN router_snat_exclusions x ON x.router_id = b.router_id AND x.host = b.host"
            + " WHERE b.router_id = $1 ORDER BY b.host", routerId)
        .compose(rows -> {
          long epoch = rows.stream().mapToLong(r -> r.getLong("ha_epoch")).max().orElse(0);
          List<String> dropped = new ArrayList<>();
          List<Row> kept = new ArrayList<>();
          for (Row r : rows) {
            boolean active = "active".equals(r.getString("ha_state"));
            boolean usable = r.getBoolean("alive") && r.getBoolean("up") && !r.getBoolean("excluded");
            if (active ? (r.getBoolean("alive") || r.getBoolean("leased")) : usable) {
              kept.add(r);
            } else {
              dropped.add(r.getString("host"));
            }
          }
          Set<String> changed = new TreeSet<>(dropped);
          Set<String> hosts = new TreeSet<>();
          kept.forEach(r -> hosts.add(r.getString("host")));
          long usable = kept.stream().filter(r -> r.getBoolean("alive") && r.getBoolean("up") && !r.getBoolean("excluded")
              && !r.getBoolean("draining")).count();
          boolean hasActive = kept.stream().anyMatch(r -> "active".equals(r.getString("ha_state")) && !r.getBoolean("draining"));
          Future<?> chain = dropped.isEmpty() ? Future.succeededFuture()
              : tx.query("DELETE FROM router_snat_bindings WHERE router_id = $1 AND host = ANY($2)", routerId,
                  dropped.toArray(String[]::new));
          return chain.compose(v -> fill(tx, routerId, hosts, (int) Math.max(0, haHosts - usable)))
              .compose(added -> {
                changed.addAll(added);
                hosts.addAll(added);
                return hasActive ? Future.succeededFuture()
                    : elect(tx, routerId, epoch + 1).map(elected -> {
                      elected.ifPresent(changed::add);
                      return null;
                    });
              })
              .map(v -> new Result(hosts, changed));
        });
  }

  /** Binds up to {@code wanted} more alive, admin-up dvr_snat hosts (least SNAT load first) as standby. */
  private Future<List<String>> fill(Tx tx, UUID routerId, Set<String> bound, int wanted) {
    if (wanted == 0) {
      return Future.succeededFuture(List.of());
    }
    return tx.all("SELECT g.host FROM agents g LEFT JOIN router_snat_bindings b ON b.host = g.host"
            + " WHERE g.agent_type = 'L3 agent' AND g.agent_mode = 'dvr_snat' AND g.admin_state_up AND " + alive.apply("g")
            + " AND g.host <> ALL($2) AND NOT EXISTS (SELECT 1 FROM router_snat_exclusions x"
            + " WHERE x.router_id = $1 AND x.host = g.host)"
            + " GROUP BY g.host ORDER BY count(b.router_id), g.host LIMIT $3", routerId, bound.toArray(String[]::new), wanted)
        .compose(rows -> {
          List<String> picked = rows.stream().map(r -> r.getString("host")).toList();
          if (picked.isEmpty()) {
            return Future.succeededFuture(picked);
          }
          return tx.query("INSERT INTO router_snat_bindings(router_id, host, ha_state) SELECT $1, unnest($2::text[]), 'standby'",
              routerId, picked.toArray(String[]::new)).map(v -> picked);
        });
  }

  /**
   * Makes the best usable standby ACTIVE at {@code epoch}: one holding a lease first (it can claim
   * at once), then the host with the fewest active routers, then by name. Empty when none is usable.
   */
  private Future<java.util.Optional<String>> elect(Tx tx, UUID routerId, long epoch) {
    return tx.one("UPDATE router_snat_bindings SET ha_state = 'active', ha_epoch = $2 WHERE router_id = $1 AND host = ("
            + " SELECT b.host FROM router_snat_bindings b JOIN agents g ON g.host = b.host AND g.agent_type = 'L3 agent'"
            + " AND g.agent_mode = 'dvr_snat' AND g.admin_state_up AND " + alive.apply("g")
            + " LEFT JOIN snat_leases l ON l.host = b.host"
            + " WHERE b.router_id = $1 AND b.ha_state = 'standby' AND NOT EXISTS (SELECT 1 FROM router_snat_exclusions x"
            + " WHERE x.router_id = b.router_id AND x.host = b.host)"
            + " ORDER BY coalesce(l.expires_at > now(), false) DESC,"
            + " (SELECT count(*) FROM router_snat_bindings o WHERE o.host = b.host AND o.ha_state = 'active'), b.host"
            + " LIMIT 1) RETURNING host", routerId, epoch)
        .map(row -> row.map(r -> r.getString("host")));
  }
}
