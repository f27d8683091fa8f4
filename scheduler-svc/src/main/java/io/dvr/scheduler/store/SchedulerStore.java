package io.dvr.scheduler.store;

import io.dvr.common.model.DeviceOwners;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.RouterHost;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Where distributed routers live. A router is bound to every dvr/dvr_snat host with a compute
 * port on one of its subnets, and, with a gateway, its SNAT to one alive dvr_snat host (the least
 * loaded; kept while that host stays alive); an HA router's SNAT to several, one active
 * ({@link HaElection}). Reschedules of one router are serialised in the
 * database by an advisory lock, so concurrent schedulers agree. It decides which fg- ports are
 * needed ({@link FipGatewayPorts}); api-gateway, the owner of the ports, creates and deletes them.
 *
 * <p>Liveness: an agent is alive while its last heartbeat is younger than the agent down time, and
 * a scheduler that (re)started less than a down time ago presumes every agent alive: it cannot
 * have heard heartbeats sent while it was away, and a stored heartbeat older than the down time
 * only says how long the control plane was stopped. Without this a restarted scheduler whose first
 * reschedule ran before the agents' first heartbeats took the SNAT off its host.
 */
public final class SchedulerStore {
  private final long agentDownSeconds;
  /** The database time from which this scheduler could hear heartbeats (its start). */
  private final Instant listeningSince;
  /** Seed of the advisory lock keys of reschedules (keeps them apart from other advisory locks). */
  private static final long LOCK_SEED = 0x5343484544L;
  /** How many dvr_snat hosts an HA router's SNAT is placed on (snat.ha-hosts). */
  private final int haHosts;
  private final HaElection haElection;

  /** A scheduler that has heard every heartbeat: an agent is alive by its stored heartbeat alone. */
  public SchedulerStore(long agentDownSeconds) {
    this(agentDownSeconds, Instant.EPOCH);
  }

  /** A scheduler started at {@code listeningSince} (database time): agents count as heard from then. */
  public SchedulerStore(long agentDownSeconds, Instant listeningSince) {
    this(agentDownSeconds, listeningSince, 2);
  }

  /** ... placing an HA router's SNAT on {@code haHosts} dvr_snat hosts (setting snat.ha-hosts). */
  public SchedulerStore(long agentDownSeconds, Instant listeningSince, int haHosts) {
    if (haHosts < 1) {
      throw new IllegalArgumentException("snat.ha-hosts '" + haHosts + "' must be at least 1");
    }
    this.agentDownSeconds = agentDownSeconds;
    this.listeningSince = listeningSince;
    this.haHosts = haHosts;
    this.haElection = new HaElection(haHosts, this::alive);
  }

  /** The advisory lock every change of one router's placement or SNAT roles takes first. */
  public static Future<?> lockRouter(Tx tx, UUID routerId) {
    return tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, " + LOCK_SEED + "))", routerId.toString());
  }

  /** The database's time now: what a starting scheduler passes as the time it listens since. */
  public static Future<Instant> databaseNow(Tx tx) {
    return tx.one("SELECT now() AS now").map(r -> r.orElseThrow().getOffsetDateTime("now").toInstant());
  }

  /** The agent down time: a (re)started scheduler presumes agents alive for that long. */
  public Duration agentDownTime() {
    return Duration.ofSeconds(agentDownSeconds);
  }

  /**
   * The hosts that gained, kept and lost the router in one reschedule; {@code roleChanged}: kept
   * hosts whose SNAT role changed (an HA router's standby bound or elected active), to be told.
   */
  public record Placement(UUID routerId, Set<String> added, Set<String> kept, Set<String> removed,
      Set<String> roleChanged) {
    public Placement(UUID routerId, Set<String> added, Set<String> kept, Set<String> removed) {
      this(routerId, added, kept, removed, Set.of());
    }

    public Set<String> touched() {
      Set<String> all = new TreeSet<>(added);
      all.addAll(kept);
      all.addAll(removed);
      return all;
    }
  }

  /**
   * Recomputes where the router lives and writes what changed. Reschedules of one router are
   * serialised by a transaction-scoped advisory lock rather than a row lock: a row lock is a
   * write (a transaction id, WAL and an fsync at commit), so the periodic full reschedule of
   * unchanged routers would cost one durable commit per router; now it writes nothing. The lock
   * is its own statement: a statement reads the snapshot taken when it began, so the router is
   * read by the next one, after the previous reschedule (and any API change before it) committed.
   * The reads are sent behind the lock without waiting for it (pipelined on the transaction's
   * connection): the server still runs them after the lock is taken, in order. Call it in a
   * transaction ({@code Store.write}), never on the pool.
   */
  public Future<Placement> reschedule(Tx tx, UUID routerId) {
    Set<String> roleChanged = new TreeSet<>();
    Future<?> locked = lockRouter(tx, routerId);
    Future<Optional<Row>> router = tx.one("SELECT id, distributed, gw_network_id, ha FROM routers WHERE id = $1", routerId);
    Future<List<Row>> current = tx.all("SELECT host FROM router_host_bindings WHERE router_id = $1", routerId);
    return Future.all(locked, router, current).compose(read -> {
      Set<String> before = hosts(current.result());
      if (router.result().isEmpty()) {
        return Future.succeededFuture(new Placement(routerId, Set.of(), Set.of(), before));
      }
      return wantedHosts(tx, router.result().get(), roleChanged).compose(wanted -> apply(tx, routerId, before, wanted))
          .map(p -> new Placement(routerId, p.added(), p.kept(), p.removed(), roleChanged));
    });
  }

  private Future<Set<String>> wantedHosts(Tx tx, Row router, Set<String> roleChanged) {
    UUID routerId = router.getUUID("id");
    Future<Set<String>> dvrHosts = tx.all("SELECT DISTINCT p.binding_host AS host FROM ports p"
            + " JOIN ip_allocations a ON a.port_id = p.id JOIN router_interfaces ri ON ri.subnet_id = a.subnet_id"
            + " JOIN agents g ON g.host = p.binding_host AND g.agent_type = 'L3 agent' AND g.agent_mode IN ('dvr', 'dvr_snat')"
            + " WHERE ri.router_id = $1 AND p.device_owner LIKE 'compute:%' AND p.binding_host <> ''", routerId)
        .map(SchedulerStore::hosts);
    Future<Set<String>> snatHosts;
    if (router.getUUID("gw_network_id") == null) {
      snatHosts = tx.query("DELETE FROM router_snat_bindings WHERE router_id = $1", routerId).map(v -> Set.of());
    } else if (router.getBoolean("ha")) {
      snatHosts = haElection.bind(tx, routerId).map(result -> {
        roleChanged.addAll(result.roleChanged());
        return result.hosts();
      });
    } else {
      snatHosts = bindSnat(tx, routerId).map(host -> host == null ? Set.of() : Set.of(host));
    }
    return dvrHosts.compose(hosts -> snatHosts.map(snat -> {
      Set<String> all = new TreeSet<>(hosts);
      all.addAll(snat);
      return all;
    }));
  }

  /** The binding b's host was removed from the router by hand (l3-agent-router-remove). */
  private static final String EXCLUDED = "EXISTS (SELECT 1 FROM router_snat_exclusions x WHERE x.router_id = b.router_id"
      + " AND x.host = b.host)";

  /**
   * Keeps the SNAT where it is while that agent lives (and the host was not removed by hand);
   * otherwise picks the least loaded alive dvr_snat host. An admin-down host keeps what it holds:
   * draining a host moves only HA routers' SNATs (Neutron does not move a router off an admin-down agent either).
   */
  private Future<String> bindSnat(Tx tx, UUID routerId) {
    return tx.one("SELECT b.host FROM router_snat_bindings b JOIN agents g ON g.host = b.host"
            + " AND g.agent_type = 'L3 agent' AND g.agent_mode = 'dvr_snat'"
            + " WHERE b.router_id = $1 AND " + alive("g") + " AND NOT " + EXCLUDED, routerId)
        .compose(current -> {
          if (current.isPresent()) {
            return Future.succeededFuture(current.get().getString("host"));
          }
          return tx.one("SELECT g.host FROM agents g LEFT JOIN router_snat_bindings b ON b.host = g.host"
                  + " WHERE g.agent_type = 'L3 agent' AND g.agent_mode = 'dvr_snat' AND g.admin_state_up AND "
                  + alive("g") + " AND NOT EXISTS (SELECT 1 FROM router_snat_exclusions x WHERE x.router_id = $1"
                  + " AND x.host = g.host) GROUP BY g.host ORDER BY count(b.router_id), g.host LIMIT 1", routerId)
              .compose(pick -> {
                if (pick.isEmpty()) {
                  return tx.query("DELETE FROM router_snat_bindings WHERE router_id = $1", routerId).map(v -> (String) null);
                }
                String host = pick.get().getString("host");
                return tx.query("INSERT INTO router_snat_bindings(router_id, host) VALUES ($1, $2)"
                    + " ON CONFLICT (router_id) WHERE ha_state IS NULL DO UPDATE SET host = EXCLUDED.host", routerId, host).map(v -> host);
              });
        });
  }

  private Future<Placement> apply(Tx tx, UUID routerId, Set<String> before, Set<String> wanted) {
    Set<String> added = new TreeSet<>(wanted);
    added.removeAll(before);
    Set<String> removed = new TreeSet<>(before);
    removed.removeAll(wanted);
    Set<String> kept = new TreeSet<>(wanted);
    kept.retainAll(before);
    Future<?> chain = Future.succeededFuture();
    if (!added.isEmpty()) {
      chain = tx.query("INSERT INTO router_host_bindings(router_id, host) SELECT $1, unnest($2::text[])"
          + " ON CONFLICT DO NOTHING", routerId, added.toArray(String[]::new));
    }
    if (!removed.isEmpty()) {
      chain = chain.compose(v -> tx.query("DELETE FROM router_host_bindings WHERE router_id = $1 AND host = ANY($2)",
          routerId, removed.toArray(String[]::new)));
    }
    return chain.map(v -> new Placement(routerId, added, kept, removed));
  }

  /**
   * What the fg- port decision of a reschedule needs: the (external network, host) pairs of the
   * router's floating IPs of bound VMs, and the fg- ports with whether a floating IP of a VM on
   * their host still uses their network. {@code hosts}: the hosts whose fg- ports the change can
   * have made unused (those of the ports and floating IPs it moved on and off); their ports and
   * those on the hosts of the router's floating IPs are read, through the index on the host, and no
   * other. Null: every fg- port (a change of the router itself, the periodic resync), which finds
   * any left unused by a change missed.
   */
  public Future<FipGatewayPorts.State> fipGatewayState(Tx tx, UUID routerId, Set<String> hosts) {
    // Both statements sent at once (pipelined in a transaction).
    Future<List<Row>> needed = tx.all("SELECT DISTINCT f.floating_network_id AS net, p.binding_host AS host"
        + " FROM floating_ips f JOIN ports p ON p.id = f.port_id WHERE f.router_id = $1 AND p.binding_host <> ''", routerId);
    String inUse = "SELECT g.id, g.network_id, g.binding_host, EXISTS (SELECT 1 FROM floating_ips f"
        + " JOIN ports p ON p.id = f.port_id WHERE f.floating_network_id = g.network_id"
        + " AND p.binding_host = g.binding_host) AS in_use FROM ports g WHERE g.device_owner = $1";
    Future<List<Row>> existing = hosts == null ? tx.all(inUse, DeviceOwners.FIP_AGENT_GATEWAY)
        : tx.all(inUse + " AND g.binding_host IN (SELECT unnest($2::text[]) UNION SELECT p.binding_host"
            + " FROM floating_ips f JOIN ports p ON p.id = f.port_id WHERE f.router_id = $3)",
            DeviceOwners.FIP_AGENT_GATEWAY, hosts.toArray(String[]::new), routerId);
    return Future.all(needed, existing).map(read -> new FipGatewayPorts.State(
        needed.result().stream().map(r -> new FipGatewayPorts.Key(r.getUUID("net"), r.getString("host"))).toList(),
        existing.result().stream().map(r -> new FipGatewayPorts.Existing(r.getUUID("id"),
            new FipGatewayPorts.Key(r.getUUID("network_id"), r.getString("binding_host")),
            r.getBoolean("in_use"))).toList()));
  }

  /** Every router id (the periodic full reschedule). */
  public Future<List<UUID>> allRouters(Tx tx) {
    return tx.all("SELECT id FROM routers ORDER BY id").map(rows -> rows.stream().map(r -> r.getUUID("id")).toList());
  }

  /**
   * The routers whose placement a (re)started agent on the host can change, as {@link #reschedule}
   * decides it: those the host's VM ports need but that are not bound to it, those bound to it
   * that nothing there needs any more (neither a VM port nor a SNAT it holds), the SNATs it holds
   * when it is no longer a dvr_snat host, and, on a dvr_snat host, the gateway routers whose SNAT
   * no live dvr_snat host holds. An agent restarting onto a consistent state thus reschedules
   * nothing (it used to reschedule every router bound to it and every router with a gateway).
   */
  public Future<List<UUID>> routersConcerning(Tx tx, String host) {
    return tx.all("WITH needed AS (SELECT DISTINCT ri.router_id FROM router_interfaces ri"
            + " JOIN ip_allocations a ON a.subnet_id = ri.subnet_id JOIN ports p ON p.id = a.port_id"
            + " JOIN agents g ON g.host = p.binding_host AND g.agent_type = 'L3 agent' AND g.agent_mode IN ('dvr', 'dvr_snat')"
            + " WHERE p.binding_host = $1 AND p.device_owner LIKE 'compute:%'),"
            + " bound AS (SELECT router_id FROM router_host_bindings WHERE host = $1),"
            + " held AS (SELECT router_id FROM router_snat_bindings WHERE host = $1),"
            + " snat_host AS (SELECT 1 FROM agents WHERE host = $1 AND agent_type = 'L3 agent' AND agent_mode = 'dvr_snat')"
            + " (SELECT router_id FROM needed EXCEPT SELECT router_id FROM bound)"
            + " UNION (SELECT router_id FROM bound EXCEPT SELECT router_id FROM needed EXCEPT SELECT router_id FROM held)"
            + " UNION (SELECT router_id FROM held WHERE NOT EXISTS (SELECT 1 FROM snat_host))"
            + " UNION (SELECT r.id FROM routers r WHERE r.gw_network_id IS NOT NULL AND EXISTS (SELECT 1 FROM snat_host)"
            + " AND NOT EXISTS (SELECT 1 FROM router_snat_bindings b JOIN agents g ON g.host = b.host"
            + " AND g.agent_type = 'L3 agent' AND g.agent_mode = 'dvr_snat' WHERE b.router_id = r.id AND " + alive("g") + "))"
            // HA routers: those it holds (its state may change their roles), and those short of hosts.
            + " UNION (SELECT router_id FROM router_snat_bindings WHERE host = $1 AND ha_state IS NOT NULL)"
            + " UNION (SELECT r.id FROM routers r WHERE r.ha AND r.gw_network_id IS NOT NULL AND EXISTS (SELECT 1 FROM snat_host)"
            + " AND (SELECT count(*) FROM router_snat_bindings b WHERE b.router_id = r.id) < $2)",
            host, haHosts)
        .map(rows -> rows.stream().map(r -> r.getUUID(0)).toList());
  }

  public Future<List<UUID>> routersOf(Tx tx, String host) {
    return tx.all("SELECT router_id FROM router_host_bindings WHERE host = $1 ORDER BY router_id", host)
        .map(rows -> rows.stream().map(r -> r.getUUID(0)).toList());
  }

  /** The hosts carrying a router with their agents' liveness, the SNAT host marked (and an old active draining). */
  public Future<List<RouterHost>> hostsOf(Tx tx, UUID routerId) {
    return tx.all("SELECT b.host, g.id AS agent_id, coalesce(g.admin_state_up, false) AS admin_state_up,"
            + " coalesce(" + alive("g") + ", false) AS alive, (sb.host IS NOT NULL) AS snat, sb.ha_state,"
            + " coalesce(sb.draining_since IS NOT NULL, false) AS draining"
            + " FROM router_host_bindings b LEFT JOIN agents g ON g.host = b.host AND g.agent_type = 'L3 agent'"
            + " LEFT JOIN router_snat_bindings sb ON sb.router_id = b.router_id AND sb.host = b.host"
            + " WHERE b.router_id = $1 ORDER BY b.host", routerId)
        .map(rows -> rows.stream().map(r -> RouterHost.newBuilder().setHost(r.getString("host"))
            .setAgentId(r.getUUID("agent_id") == null ? "" : r.getUUID("agent_id").toString())
            .setAdminStateUp(r.getBoolean("admin_state_up")).setAlive(r.getBoolean("alive"))
            .setSnat(r.getBoolean("snat")).setHaState(haState(r.getString("ha_state")))
            .setDraining(r.getBoolean("draining")).build()).toList());
  }

  /** The role as the API shows it: 'active' / 'standby' on an HA router's SNAT hosts, unspecified elsewhere. */
  public static HaState haState(String stored) {
    if (stored == null) {
      return HaState.HA_STATE_UNSPECIFIED;
    }
    return "active".equals(stored) ? HaState.HA_STATE_ACTIVE : HaState.HA_STATE_STANDBY;
  }

  /** Alive L3 agents per agent mode (dvr, dvr_snat), as this scheduler judges liveness. */
  public Future<Map<String, Long>> aliveAgentsByMode(Tx tx) {
    return tx.all("SELECT g.agent_mode, count(*) FILTER (WHERE " + alive("g") + ") AS alive FROM agents g"
            + " WHERE g.agent_type = 'L3 agent' GROUP BY g.agent_mode")
        .map(rows -> {
          Map<String, Long> byMode = new TreeMap<>();
          rows.forEach(r -> byMode.put(r.getString("agent_mode"), r.getLong("alive")));
          return byMode;
        });
  }

  /** Routers whose SNAT each host holds. */
  public Future<Map<String, Long>> snatRoutersByHost(Tx tx) {
    return tx.all("SELECT host, count(*) AS routers FROM router_snat_bindings GROUP BY host").map(rows -> {
      Map<String, Long> byHost = new TreeMap<>();
      rows.forEach(r -> byHost.put(r.getString("host"), r.getLong("routers")));
      return byHost;
    });
  }

  /** Heard from within the down time, a heartbeat counting from no earlier than this scheduler's start. */
  String alive(String agent) {
    return "greatest(" + agent + ".last_heartbeat, timestamptz '" + listeningSince + "') > now() - interval '"
        + agentDownSeconds + " seconds'";
  }

  private static Set<String> hosts(List<Row> rows) {
    Set<String> hosts = new TreeSet<>();
    rows.forEach(r -> hosts.add(r.getString("host")));
    return hosts;
  }
}
