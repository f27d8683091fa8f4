package io.dvr.arp;

import io.dvr.common.KeyedWork;
import io.dvr.common.ServiceMain;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.config.Settings;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.ArpUpdate;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.store.ArpStore;
import io.dvr.store.Database;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * arp-svc: keeps each distributed router's ARP table and, when it changes (a port created,
 * deleted or given another MAC), sends only the added and removed entries to the hosts that carry
 * the router. The last table sent is kept in memory; after a restart the first update of a router
 * sends its whole table (the agents' periodic resync removes what was missed meanwhile).
 */
public final class ArpService {
  public static final String NAME = "arp";
  public static final int DEFAULT_PORT = 9093;

  private final Vertx vertx;
  private final Store store;
  private final ArpStore arp = new ArpStore();
  private final Map<UUID, Map<String, ArpEntry>> sent = new HashMap<>();
  private final KeyedWork<UUID> updates;

  ArpService(Vertx vertx, Store store) {
    this.vertx = vertx;
    this.store = store;
    this.updates = new KeyedWork<>("ARP update of router", this::update);
  }

  public static Future<HttpServer> start(Vertx vertx, Settings settings, Database db) {
    ArpService service = new ArpService(vertx, new Store(db.pool()));
    Bus.listen(vertx, EventAddresses.RESOURCE_CHANGED, ResourceChanged.parser(),
        event -> event.getRouterIdsList().forEach(id -> service.updates.request(UUID.fromString(id))));
    return ServiceMain.serve(vertx, settings, NAME, DEFAULT_PORT, List.of());
  }

  private Future<?> update(UUID routerId) {
    return computeAndSend(routerId)
        .onFailure(err -> vertx.setTimer(1000, id -> updates.request(routerId))); // e.g. the database restarting
  }

  private Future<?> computeAndSend(UUID routerId) {
    return store.read(tx -> arp.table(tx, routerId).compose(table -> arp.hosts(tx, routerId).map(hosts -> {
      Map<String, ArpEntry> now = table.stream().collect(Collectors.toMap(ArpEntry::getIpAddress, e -> e, (a, b) -> a));
      Map<String, ArpEntry> before = sent.getOrDefault(routerId, Map.of());
      ArpUpdate.Builder change = ArpUpdate.newBuilder().setRouterId(routerId.toString());
      now.values().stream().filter(e -> !e.equals(before.get(e.getIpAddress()))).forEach(change::addAdd);
      before.values().stream().filter(e -> !now.containsKey(e.getIpAddress())).forEach(change::addRemove);
      if (now.isEmpty()) {
        sent.remove(routerId);
      } else {
        sent.put(routerId, now);
      }
      if (change.getAddCount() + change.getRemoveCount() > 0) {
        ArpUpdate message = change.build();
        hosts.forEach(host -> Bus.send(vertx, EventAddresses.arpUpdate(host), message));
      }
      return null;
    })));
  }
}
