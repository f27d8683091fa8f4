package io.dvr.scheduler.store;

import io.dvr.store.Tx;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SNAT leases of the dvr_snat hosts and the failover they drive. A host's agent renews its
 * lease every agent.snat-lease-renew-ms; the grant lets it hold its ACTIVE routers for
 * {@code holdMillis} from when it sent the renewal, and the database records the lease until
 * receipt + hold + {@code graceMillis}, in database time. An ACTIVE host whose recorded lease has
 * expired has fenced itself (given up its addresses) at least a grace earlier, so a STANDBY that
 * holds a lease may then be made ACTIVE: never two hosts holding one router's addresses, and the
 * database alone decides.
 *
 * <p>Every role change takes the router's advisory lock (the one of {@link SchedulerStore#reschedule})
 * and reads the rows again under it, so two scheduler instances promoting at once agree: the
 * second finds the new active holding its lease and does nothing.
 */
public final class SnatLeases {
  private final long holdMillis;
  private final long graceMillis;

  public SnatLeases(long holdMillis, long graceMillis) {
    if (holdMillis <= 0 || graceMillis < 0) {
      throw new IllegalArgumentException("snat.lease-hold-ms '" + holdMillis + "' must be positive and snat.lease-grace-ms '"
          + graceMillis + "' not negative");
    }
    this.holdMillis = holdMillis;
    this.graceMillis = graceMillis;
  }

  /** The hold the agents are granted (SnatLeaseGrant.hold_millis). */
  public long holdMillis() {
    return holdMillis;
  }

  /**
   * Records the host's renewal: its lease until now + hold + grace (never shortened by a renewal
   * that committed late), and the HA routers whose addresses it says it holds.
   */
  public Future<Void> renew(Tx tx, String host, List<UUID> activeRouters) {
    return tx.query("INSERT INTO snat_leases(host, expires_at, renewed_at, active_router_ids)"
            + " VALUES ($1, now() + $2 * interval '1 millisecond', now(), $3)"
            + " ON CONFLICT (host) DO UPDATE SET expires_at = greatest(snat_leases.expires_at, EXCLUDED.expires_at),"
            + " renewed_at = EXCLUDED.renewed_at, active_router_ids = EXCLUDED.active_router_ids",
            host, holdMillis + graceMillis, activeRouters.toArray(UUID[]::new))
        .mapEmpty();
  }

  /** HA routers whose ACTIVE host's lease has expired while a STANDBY of theirs holds one. */
  public Future<List<UUID>> lapsed(Tx tx) {
    return tx.all("SELECT DISTINCT a.router_id FROM router_snat_bindings a LEFT JOIN snat_leases l ON l.host = a.host"
            + " WHERE a.ha_state = 'active' AND a.draining_since IS NULL AND coalesce(l.expires_at <= now(), true)"
            + " AND EXISTS (SELECT 1 FROM router_snat_bindings s JOIN snat_leases sl ON sl.host = s.host"
            + " WHERE s.router_id = a.router_id AND s.ha_state = 'standby' AND sl.expires_at > now())")
        .map(rows -> rows.stream().map(r -> r.getUUID(0)).toList());
  }

  /** A change of a router's ACTIVE host: from (empty when it had none) to, at epoch, at database time. */
  public record Failover(UUID routerId, String from, String to, long epoch, Instant at) {}

  /**
   * Under the router's lock: if its ACTIVE host's lease has expired, makes the STANDBY holding a
   * lease (the one with the fewest active routers, then the longest lease) ACTIVE at epoch+1 and
   * the old active STANDBY. Empty when nothing is to be done (the lease holds again, another
   * scheduler promoted already, or no standby holds a lease: a standby whose lease expired may have
   * lost its own host and is not promoted).
   */
  public Future<Optional<Failover>> failover(Tx tx, UUID routerId) {
    return SchedulerStore.lockRouter(tx, routerId)
        .compose(locked -> tx.one("SELECT a.host, (SELECT max(e.ha_epoch) FROM router_snat_bindings e"
                + " WHERE e.router_id = a.router_id) AS epoch FROM router_snat_bindings a"
                + " LEFT JOIN snat_leases l ON l.host = a.host WHERE a.router_id = $1 AND a.ha_state = 'active'"
                + " AND a.draining_since IS NULL AND coalesce(l.expires_at <= clock_timestamp(), true)", routerId))
        .compose(lapsed -> {
          if (lapsed.isEmpty()) {
            return Future.succeededFuture(Optional.<Failover>empty());
          }
          String from = lapsed.get().getString("host");
          long epoch = lapsed.get().getLong("epoch") + 1;
          return bestLeasedStandby(tx, routerId).compose(to -> {
            if (to.isEmpty()) {
              return Future.succeededFuture(Optional.<Failover>empty());
            }
            return promote(tx, routerId, from, to.get(), epoch).map(Optional::of);
          });
        });
  }

  /** The STANDBY that holds a lease now: the fewest active routers on its host, then the longest lease, then by name. */
  Future<Optional<String>> bestLeasedStandby(Tx tx, UUID routerId) {
    return tx.one("SELECT s.host FROM router_snat_bindings s JOIN snat_leases l ON l.host = s.host"
            + " WHERE s.router_id = $1 AND s.ha_state = 'standby' AND l.expires_at > clock_timestamp()"
            + " ORDER BY (SELECT count(*) FROM router_snat_bindings o WHERE o.host = s.host AND o.ha_state = 'active'),"
            + " l.expires_at DESC, s.host LIMIT 1", routerId)
        .map(row -> row.map(r -> r.getString("host")));
  }

  /** {@code from} STANDBY (first: one active per router), {@code to} ACTIVE, both at {@code epoch}. */
  private Future<Failover> promote(Tx tx, UUID routerId, String from, String to, long epoch) {
    return tx.query("UPDATE router_snat_bindings SET ha_state = 'standby', ha_epoch = $3 WHERE router_id = $1 AND host = $2",
            routerId, from, epoch)
        .compose(v -> tx.one("UPDATE router_snat_bindings SET ha_state = 'active', ha_epoch = $3"
            + " WHERE router_id = $1 AND host = $2 RETURNING clock_timestamp() AS at", routerId, to, epoch))
        .map(row -> new Failover(routerId, from, to, epoch, row.orElseThrow().getOffsetDateTime("at").toInstant()));
  }
}
