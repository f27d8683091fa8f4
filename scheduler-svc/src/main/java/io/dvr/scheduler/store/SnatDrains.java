package io.dvr.scheduler.store;

import io.dvr.store.Tx;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Moving an HA router's ACTIVE role off a host on purpose (its agent set admin-down, or
 * l3-agent-router-remove), make before break: a STANDBY holding a lease is made ACTIVE (epoch+1)
 * while the old host keeps its addresses, marked draining; once the new host's renewal, received
 * after the move began, lists the router (it has claimed and announced the addresses), the old
 * host's binding goes. Both hold the addresses for that moment (the same MACs), so no packet is
 * lost. If the new host has not claimed within {@code snat.drain-timeout-ms} the move is undone:
 * the old host, which never let go, is the only ACTIVE again (epoch+1) and the drain is retried
 * once another timeout has passed (held in the database, {@code drain_held_until}, so that every
 * scheduler instance waits, not only the one that undid it). A draining host whose own lease
 * expired has let go already: its binding goes at once.
 * Every step takes the router's advisory lock and reads again under it.
 */
public final class SnatDrains {
  private final long timeoutMillis;

  public SnatDrains(long timeoutMillis) {
    this.timeoutMillis = timeoutMillis;
  }

  /** A move of a router's ACTIVE role from one host to another. */
  public record Move(UUID routerId, String from, String to) {}

  /** What a drain check found for a router: to start, finished, or timed out. */
  public enum Step { START, FINISH, ABORT }

  public record Due(UUID routerId, Step step) {}

  /** Where the ACTIVE host must go (admin-down or excluded) and a leased standby can take over. */
  private static final String MUST_GO = "(NOT coalesce(g.admin_state_up, true) OR EXISTS (SELECT 1 FROM router_snat_exclusions x"
      + " WHERE x.router_id = a.router_id AND x.host = a.host))";
  /** No drain of the router was undone less than a timeout ago (in the database: every scheduler instance waits). */
  private static final String NOT_HELD_BACK = "coalesce(a.drain_held_until <= now(), true)";
  private static final String LEASED_STANDBY = "EXISTS (SELECT 1 FROM router_snat_bindings s JOIN snat_leases l ON l.host = s.host"
      + " JOIN agents sg ON sg.host = s.host AND sg.agent_type = 'L3 agent' AND sg.admin_state_up"
      + " WHERE s.router_id = a.router_id AND s.ha_state = 'standby' AND l.expires_at > now()"
      + " AND NOT EXISTS (SELECT 1 FROM router_snat_exclusions x WHERE x.router_id = s.router_id AND x.host = s.host))";

  /** The drain steps due now, over every HA router. */
  public Future<List<Due>> due(Tx tx) {
    return tx.all("SELECT a.router_id, 'START' AS step FROM router_snat_bindings a"
            + " LEFT JOIN agents g ON g.host = a.host AND g.agent_type = 'L3 agent'"
            + " WHERE a.ha_state = 'active' AND a.draining_since IS NULL AND " + MUST_GO + " AND " + NOT_HELD_BACK + " AND " + LEASED_STANDBY
            + " UNION ALL SELECT d.router_id, CASE WHEN " + claimed("d") + " OR coalesce(dl.expires_at <= now(), true)"
            + " THEN 'FINISH' WHEN d.draining_since + $1 * interval '1 millisecond' <= now() THEN 'ABORT' END"
            + " FROM router_snat_bindings d LEFT JOIN snat_leases dl ON dl.host = d.host"
            + " WHERE d.draining_since IS NOT NULL", timeoutMillis)
        .map(rows -> rows.stream().filter(r -> r.getString("step") != null)
            .map(r -> new Due(r.getUUID("router_id"), Step.valueOf(r.getString("step")))).toList());
  }

  /** The router's new ACTIVE host renewed after the drain began and listed the router (claimed it). */
  private static String claimed(String draining) {
    return "EXISTS (SELECT 1 FROM router_snat_bindings n JOIN snat_leases nl ON nl.host = n.host"
        + " WHERE n.router_id = " + draining + ".router_id AND n.ha_state = 'active' AND n.draining_since IS NULL"
        + " AND nl.renewed_at > " + draining + ".draining_since AND nl.expires_at > now()"
        + " AND " + draining + ".router_id = ANY(nl.active_router_ids))";
  }

  /** Starts the move if it is still due: the best leased standby ACTIVE at epoch+1, the old host draining. */
  public Future<Optional<Move>> start(Tx tx, UUID routerId) {
    return SchedulerStore.lockRouter(tx, routerId)
        .compose(v -> tx.one("SELECT a.host, (SELECT max(e.ha_epoch) FROM router_snat_bindings e WHERE e.router_id = a.router_id)"
            + " AS epoch FROM router_snat_bindings a LEFT JOIN agents g ON g.host = a.host AND g.agent_type = 'L3 agent'"
            + " WHERE a.router_id = $1 AND a.ha_state = 'active' AND a.draining_since IS NULL AND " + MUST_GO + " AND " + NOT_HELD_BACK
            + " AND " + LEASED_STANDBY, routerId))
        .compose(row -> {
          if (row.isEmpty()) {
            return Future.succeededFuture(Optional.<Move>empty());
          }
          String from = row.get().getString("host");
          long epoch = row.get().getLong("epoch") + 1;
          return usableLeasedStandby(tx, routerId).compose(to -> to.isEmpty() ? Future.succeededFuture(Optional.<Move>empty())
              : tx.query("UPDATE router_snat_bindings SET draining_since = clock_timestamp(), drain_held_until = NULL"
                      + " WHERE router_id = $1 AND host = $2",
                      routerId, from)
                  .compose(x -> tx.query("UPDATE router_snat_bindings SET ha_state = 'active', ha_epoch = $3"
                      + " WHERE router_id = $1 AND host = $2", routerId, to.get(), epoch))
                  .map(x -> Optional.of(new Move(routerId, from, to.get()))));
        });
  }

  /** Ends the move if it is still due: the draining host's binding goes. Its host, or empty. */
  public Future<Optional<String>> finish(Tx tx, UUID routerId) {
    return SchedulerStore.lockRouter(tx, routerId)
        .compose(v -> tx.one("DELETE FROM router_snat_bindings d WHERE d.router_id = $1"
            + " AND d.draining_since IS NOT NULL AND (" + claimed("d") + " OR coalesce((SELECT dl.expires_at <= now()"
            + " FROM snat_leases dl WHERE dl.host = d.host), true)) RETURNING d.host", routerId))
        .map(row -> row.map(r -> r.getString("host")));
  }

  /**
   * Undoes a move whose new host did not claim in time: that host STANDBY again, the draining one
   * the only ACTIVE, both at epoch+1. The move it undid, or empty.
   */
  public Future<Optional<Move>> abort(Tx tx, UUID routerId) {
    return SchedulerStore.lockRouter(tx, routerId)
        .compose(v -> tx.one("SELECT d.host AS old, n.host AS new, (SELECT max(e.ha_epoch) FROM router_snat_bindings e"
            + " WHERE e.router_id = d.router_id) AS epoch FROM router_snat_bindings d JOIN router_snat_bindings n"
            + " ON n.router_id = d.router_id AND n.ha_state = 'active' AND n.draining_since IS NULL"
            + " WHERE d.router_id = $1 AND d.draining_since IS NOT NULL"
            + " AND d.draining_since + $2 * interval '1 millisecond' <= now() AND NOT " + claimed("d"), routerId, timeoutMillis))
        .compose(row -> {
          if (row.isEmpty()) {
            return Future.succeededFuture(Optional.<Move>empty());
          }
          String old = row.get().getString("old");
          String fresh = row.get().getString("new");
          long epoch = row.get().getLong("epoch") + 1;
          return tx.query("UPDATE router_snat_bindings SET ha_state = 'standby', ha_epoch = $3 WHERE router_id = $1 AND host = $2",
                  routerId, fresh, epoch)
              .compose(x -> tx.query("UPDATE router_snat_bindings SET draining_since = NULL, ha_epoch = $3,"
                  + " drain_held_until = now() + $4 * interval '1 millisecond' WHERE router_id = $1 AND host = $2",
                  routerId, old, epoch, timeoutMillis))
              .map(x -> Optional.of(new Move(routerId, fresh, old)));
        });
  }

  /** The leased standby on an admin-up, not excluded host that takes over (as failover chooses). */
  private static Future<Optional<String>> usableLeasedStandby(Tx tx, UUID routerId) {
    return tx.one("SELECT s.host FROM router_snat_bindings s JOIN snat_leases l ON l.host = s.host"
            + " JOIN agents g ON g.host = s.host AND g.agent_type = 'L3 agent' AND g.admin_state_up"
            + " WHERE s.router_id = $1 AND s.ha_state = 'standby' AND l.expires_at > clock_timestamp()"
            + " AND NOT EXISTS (SELECT 1 FROM router_snat_exclusions x WHERE x.router_id = s.router_id AND x.host = s.host)"
            + " ORDER BY (SELECT count(*) FROM router_snat_bindings o WHERE o.host = s.host AND o.ha_state = 'active'),"
            + " l.expires_at DESC, s.host LIMIT 1", routerId)
        .map(row -> row.map(r -> r.getString("host")));
  }
}
