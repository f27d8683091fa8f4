package io.dvr.arp;

import io.dvr.arp.store.ArpMembership;
import io.dvr.arp.store.ArpStore;
import io.dvr.common.KeyedWork;
import io.dvr.common.ServiceMain;
import io.dvr.common.ServiceResources;
import io.dvr.common.Stoppable;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.LatestChanges;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.config.Settings;
import io.dvr.common.grpc.ApiError;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.ArpTables;
import io.dvr.proto.v1.ArpUpdate;
import io.dvr.proto.v1.GetArpTablesRequest;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.RouterArpTable;
import io.dvr.proto.v1.RouterPlacement;
import io.dvr.store.Database;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * arp-svc: keeps each distributed router's ARP table and, when it changes (a port created,
 * deleted or given another MAC), sends only the added and removed entries to the hosts that carry
 * the router (scheduler-svc says which). The last table sent is kept in memory; after a restart
 * the first update of a router sends its whole table (the agents' periodic resync removes what was
 * missed meanwhile). Where a router lives is kept from scheduler-svc's placement announcements
 * ({@link RouterHosts}), so a port change costs no round trip to scheduler-svc. It also answers the ARP tables of routers (for the hosts' router views).
 *
 * <p>A router's table is read from the database once and then patched from the facts each port
 * change carries ({@link RouterTable}): a port change costs no read while the copy is fresh. It is
 * read again when a change without facts names the router (an interface added, a router deleted,
 * an event the relay published), when the copy is older than {@code arp.table-max-age-ms}, after a
 * failed update, and for every router when an outbox sequence stays missing ({@link ChangeGaps}:
 * a change may have been lost).
 * {@link #stop()} releases the server, the consumers and every retry timer.
 */
public final class ArpService implements Stoppable {
  private static final Logger LOG = LoggerFactory.getLogger(ArpService.class);
  public static final String NAME = "arp";
  public static final int DEFAULT_PORT = 9093;
  private static final long RETRY_MILLIS = 1000;
  private static final long DEFAULT_HOSTS_MAX_AGE_MILLIS = 30_000;
  static final long DEFAULT_TABLE_MAX_AGE_MILLIS = 60_000;
  static final long DEFAULT_GAP_MILLIS = 10_000;

  private final Vertx vertx;
  private final Store store;
  private final ArpStore arp = new ArpStore();
  private final long busTimeoutMillis;
  private final Map<UUID, Map<String, ArpEntry>> sent = new HashMap<>();
  private final KeyedWork<UUID> updates;
  private final RouterHosts routerHosts;
  private final ServiceResources held;
  /** A change published twice (writer, then relay) or late is taken once. */
  private final LatestChanges latest = new LatestChanges();
  /** Per router, the copy of its table patched so far. */
  private final Map<UUID, RouterTable> copies = new HashMap<>();
  /** Per router, port changes not applied yet (the next update applies them). */
  private final Map<UUID, List<RouterTable.Patch>> patches = new HashMap<>();
  /** Routers whose next update reads their table. */
  private final Set<UUID> toRead = new HashSet<>();
  private final ChangeGaps gaps;
  private final long tableMaxAgeMillis;
  private boolean gapCheckDue;
  private long tablesRead;

  ArpService(Vertx vertx, Store store, long busTimeoutMillis) {
    this(vertx, store, busTimeoutMillis, DEFAULT_HOSTS_MAX_AGE_MILLIS);
  }

  ArpService(Vertx vertx, Store store, long busTimeoutMillis, long hostsMaxAgeMillis) {
    this(vertx, store, busTimeoutMillis, hostsMaxAgeMillis, DEFAULT_TABLE_MAX_AGE_MILLIS, DEFAULT_GAP_MILLIS);
  }

  ArpService(Vertx vertx, Store store, long busTimeoutMillis, long hostsMaxAgeMillis, long tableMaxAgeMillis,
      long gapMillis) {
    this.vertx = vertx;
    this.store = store;
    this.busTimeoutMillis = busTimeoutMillis;
    this.routerHosts = new RouterHosts(vertx, busTimeoutMillis, hostsMaxAgeMillis, System::currentTimeMillis);
    this.updates = new KeyedWork<>("ARP update of router", this::update);
    this.held = new ServiceResources(vertx);
    this.tableMaxAgeMillis = tableMaxAgeMillis;
    this.gaps = new ChangeGaps(gapMillis);
  }

  public static Future<ArpService> start(Vertx vertx, Settings settings, Database db) {
    ArpService service = new ArpService(vertx, new Store(db.pool()), settings.getLong("bus.request-timeout-ms", 5000),
        settings.getLong("arp.router-hosts-max-age-ms", DEFAULT_HOSTS_MAX_AGE_MILLIS),
        settings.getLong("arp.table-max-age-ms", DEFAULT_TABLE_MAX_AGE_MILLIS),
        settings.getLong("arp.change-gap-ms", DEFAULT_GAP_MILLIS));
    service.held.consumer(Bus.listen(vertx, EventAddresses.ROUTER_PLACEMENT, RouterPlacement.parser(), service::placed));
    service.held.consumer(Bus.listen(vertx, EventAddresses.RESOURCE_CHANGED, ResourceChanged.parser(), service::take));
    service.held.consumer(Bus.serve(vertx, EventAddresses.GET_ARP_TABLES, GetArpTablesRequest.parser(), service::tables));
    return service.held.served(
        ServiceMain.serve(vertx, settings, NAME, DEFAULT_PORT, List.of(), db.health()::check), service);
  }

  public int port() {
    return held.server().actualPort();
  }

  /** Retry timers still pending (none once stopped). */
  public int activeTimers() {
    return held.activeTimers();
  }

  @Override
  public Future<Void> stop() {
    return held.stop();
  }

  /**
   * The intake of changes: only the latest change of each resource is acted on. A port's change
   * with its facts, from its writer (with its transaction), patches the tables; any other change
   * of a router has its table read.
   */
  void take(ResourceChanged event) {
    gaps.heard(event.getSequence(), System.currentTimeMillis());
    checkGaps();
    if (!latest.take(event)) {
      return;
    }
    boolean patchable = event.getResourceType() == ResourceType.RESOURCE_TYPE_PORT && event.hasPort()
        && event.getChangeId() > 0;
    for (String id : event.getRouterIdsList()) {
      UUID routerId = UUID.fromString(id);
      if (patchable) {
        patches.computeIfAbsent(routerId, r -> new ArrayList<>()).add(new RouterTable.Patch(event.getChangeId(),
            event.getResourceId(), ArpMembership.entries(routerId, event.getResourceId(), event.getPort())));
      } else {
        toRead.add(routerId);
      }
      request(routerId);
    }
  }

  /** A sequence missing too long: every table held is read again (now, and sent as a delta). */
  private void checkGaps() {
    if (gaps.lost(System.currentTimeMillis())) {
      LOG.info("arp: a change never arrived; reading the {} router table(s) held again", copies.size());
      List.copyOf(copies.keySet()).forEach(id -> {
        toRead.add(id);
        request(id);
      });
    }
    if (gaps.open() && !gapCheckDue) {
      gapCheckDue = true;
      held.later(gaps.gapMillis() + 1, () -> {
        gapCheckDue = false;
        checkGaps();
      });
    }
  }

  /** Reads of a router's ARP table from the database so far (a test counts what a change cost). */
  long tablesRead() {
    return tablesRead;
  }

  /** scheduler-svc moved a router: where its ARP changes go from now on. */
  void placed(RouterPlacement placement) {
    routerHosts.placed(placement);
  }

  /** ListHostsForRouter requests sent so far (a test counts the round trips a change cost). */
  long hostsAsked() {
    return routerHosts.asked();
  }

  /** ARP updates running or queued now (a test counts the work an event caused). */
  int updatesInFlight() {
    return updates.inFlight();
  }

  private void request(UUID routerId) {
    if (!held.stopped()) {
      updates.request(routerId);
    }
  }

  Future<ArpTables> tables(GetArpTablesRequest request) {
    List<UUID> ids;
    try {
      ids = request.getRouterIdsList().stream().map(UUID::fromString).toList();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiError.invalid("router_ids", request.getRouterIdsList(), "not UUIDs"));
    }
    return store.read(tx -> arp.tables(tx, ids)).map(tables -> {
      ArpTables.Builder out = ArpTables.newBuilder();
      tables.forEach((id, entries) -> out.addTables(RouterArpTable.newBuilder().setRouterId(id.toString())
          .addAllEntries(entries)));
      return out.build();
    });
  }

  private Future<?> update(UUID routerId) {
    List<RouterTable.Patch> mine = patches.getOrDefault(routerId, List.of());
    patches.remove(routerId);
    return computeAndSend(routerId, mine).onFailure(err -> {
      // e.g. the database restarting, or no scheduler-svc to say where the router lives: read it then
      patches.computeIfAbsent(routerId, r -> new ArrayList<>()).addAll(0, mine);
      toRead.add(routerId);
      held.later(RETRY_MILLIS, () -> request(routerId));
    });
  }

  private Future<?> computeAndSend(UUID routerId, List<RouterTable.Patch> mine) {
    long nowMillis = System.currentTimeMillis();
    RouterTable copy = copies.get(routerId);
    boolean read = toRead.remove(routerId) || copy == null || nowMillis - copy.readAtMillis() > tableMaxAgeMillis;
    Future<RouterTable> table;
    if (read) {
      tablesRead++;
      table = store.read(tx -> arp.tableInSnapshot(tx, routerId)).map(r -> RouterTable.read(r, nowMillis));
    } else {
      table = Future.succeededFuture(copy);
    }
    Future<List<String>> hosts = routerHosts.of(routerId);
    return Future.all(table, hosts).map(both -> {
      RouterTable patched = table.result();
      for (RouterTable.Patch patch : mine) {
        patched = patched.patched(patch);
      }
      Map<String, ArpEntry> now = patched.byAddress();
      // A table read empty is not kept (a deleted router); one patched empty is (its next port patches it).
      if (read && now.isEmpty()) {
        copies.remove(routerId);
      } else {
        copies.put(routerId, patched);
      }
      ArpUpdate change = ArpDelta.between(routerId, sent.getOrDefault(routerId, Map.of()), now);
      if (now.isEmpty()) {
        sent.remove(routerId);
      } else {
        sent.put(routerId, now);
      }
      if (!ArpDelta.isEmpty(change)) {
        for (String host : hosts.result()) {
          Bus.send(vertx, EventAddresses.arpUpdate(host), change);
        }
      }
      return null;
    });
  }
}
