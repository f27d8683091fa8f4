package io.dvr.arp;

import io.dvr.arp.store.ArpStore;
import io.dvr.common.KeyedWork;
import io.dvr.common.ServiceMain;
import io.dvr.common.ServiceResources;
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
import io.dvr.proto.v1.RouterArpTable;
import io.dvr.proto.v1.RouterPlacement;
import io.dvr.store.Database;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * arp-svc: keeps each distributed router's ARP table and, when it changes (a port created,
 * deleted or given another MAC), sends only the added and removed entries to the hosts that carry
 * the router (scheduler-svc says which). The last table sent is kept in memory; after a restart
 * the first update of a router sends its whole table (the agents' periodic resync removes what was
 * missed meanwhile). Where a router lives is kept from scheduler-svc's placement announcements
 * ({@link RouterHosts}), so a port change costs no round trip to scheduler-svc. It also answers the ARP tables of routers (for the hosts' router views).
 * {@link #stop()} releases the server, the consumers and every retry timer.
 */
public final class ArpService {
  public static final String NAME = "arp";
  public static final int DEFAULT_PORT = 9093;
  private static final long RETRY_MILLIS = 1000;
  private static final long DEFAULT_HOSTS_MAX_AGE_MILLIS = 30_000;

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

  ArpService(Vertx vertx, Store store, long busTimeoutMillis) {
    this(vertx, store, busTimeoutMillis, DEFAULT_HOSTS_MAX_AGE_MILLIS);
  }

  ArpService(Vertx vertx, Store store, long busTimeoutMillis, long hostsMaxAgeMillis) {
    this.vertx = vertx;
    this.store = store;
    this.busTimeoutMillis = busTimeoutMillis;
    this.routerHosts = new RouterHosts(vertx, busTimeoutMillis, hostsMaxAgeMillis, System::currentTimeMillis);
    this.updates = new KeyedWork<>("ARP update of router", this::update);
    this.held = new ServiceResources(vertx);
  }

  public static Future<ArpService> start(Vertx vertx, Settings settings, Database db) {
    ArpService service = new ArpService(vertx, new Store(db.pool()), settings.getLong("bus.request-timeout-ms", 5000),
        settings.getLong("arp.router-hosts-max-age-ms", DEFAULT_HOSTS_MAX_AGE_MILLIS));
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

  public Future<Void> stop() {
    return held.stop();
  }

  /** The intake of changes: only the latest change of each resource is acted on. */
  void take(ResourceChanged event) {
    if (latest.take(event)) {
      event.getRouterIdsList().forEach(id -> request(UUID.fromString(id)));
    }
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
    return computeAndSend(routerId).onFailure(err -> {
      // e.g. the database restarting, or no scheduler-svc to say where the router lives
      held.later(RETRY_MILLIS, () -> request(routerId));
    });
  }

  private Future<?> computeAndSend(UUID routerId) {
    Future<List<ArpEntry>> table = store.read(tx -> arp.table(tx, routerId));
    Future<List<String>> hosts = routerHosts.of(routerId);
    return Future.all(table, hosts).map(both -> {
      Map<String, ArpEntry> now = ArpDelta.byAddress(table.result());
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
