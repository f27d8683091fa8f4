package io.dvr.arp;

import static io.dvr.store.EmbeddedStore.await;
import static io.dvr.store.OnContext.awaitCondition;
import static io.dvr.store.OnContext.on;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.arp.store.ArpStore;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.ArpUpdate;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.PortAddress;
import io.dvr.proto.v1.PortFacts;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterSubnet;
import io.dvr.store.EmbeddedStore;
import io.dvr.store.Store;
import io.dvr.store.Tx;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * arp-svc patches the ARP tables it holds from the facts a port change carries, and reads them
 * from the database only when it must. Real PostgreSQL; the changes go through the outbox and are
 * published by their writer right after the commit, as api-gateway's are.
 */
class PortFactsPatchTest {
  @TempDir static Path dir;
  static EmbeddedStore pg;
  /** Writes whose events leave on the bus right after their commit, with their transaction. */
  static Store publishing;
  static final UUID NET = UUID.randomUUID();
  static final String HOST = "compute1";
  /** Per router, what the host was told: address to MAC. */
  static final Map<String, Map<String, String>> told = new ConcurrentHashMap<>();
  static final ArpStore arp = new ArpStore();

  @BeforeAll
  static void open() throws Exception {
    pg = EmbeddedStore.open(dir.resolve("pg"));
    publishing = pg.store.publishingAfterCommit(pg.vertx, 600_000, 50);
    await(pg.store.write(tx -> tx.query("INSERT INTO networks(id, name) VALUES ($1, 'net')", NET)));
    await(Bus.serve(pg.vertx, EventAddresses.LIST_HOSTS_FOR_ROUTER, ListHostsForRouterRequest.parser(),
        request -> Future.succeededFuture(ListHostsForRouterResponse.newBuilder()
            .addHosts(RouterHost.newBuilder().setHost(HOST)).build())).completion());
    await(Bus.listen(pg.vertx, EventAddresses.arpUpdate(HOST), ArpUpdate.parser(), u -> {
      Map<String, String> table = told.computeIfAbsent(u.getRouterId(), r -> new ConcurrentHashMap<>());
      u.getRemoveList().forEach(e -> table.remove(e.getIpAddress()));
      u.getAddList().forEach(e -> table.put(e.getIpAddress(), e.getMacAddress()));
    }).completion());
  }

  @AfterAll
  static void close() throws Exception {
    pg.close();
  }

  /** A router with one distributed interface on a subnet of its own ("10.n.0.0/24"). */
  record Router(UUID id, UUID subnet, int n) {
    static Router make(int n) throws Exception {
      Router r = new Router(UUID.randomUUID(), UUID.randomUUID(), n);
      await(pg.store.write(tx -> tx.query("INSERT INTO routers(id, name) VALUES ($1, 'r')", r.id)
          .compose(v -> tx.query("INSERT INTO subnets(id, network_id, name, cidr, gateway_ip) VALUES ($1, $2, 's',"
              + " $3::text::cidr, $4::text::inet)", r.subnet, NET, "10." + n + ".0.0/24", "10." + n + ".0.1"))
          .compose(v -> insertPort(tx, UUID.randomUUID(), r.subnet, r.mac(1), "network:router_interface_distributed",
              r.ip(1)))
          .compose(id -> tx.query("INSERT INTO router_interfaces(router_id, subnet_id, port_id) VALUES ($1, $2, $3)",
              r.id, r.subnet, id))));
      return r;
    }

    String ip(int host) {
      return "10." + n + ".0." + host;
    }

    String mac(int host) {
      return String.format("fa:16:3e:%02x:00:%02x", n, host);
    }

    /** The facts api-gateway puts in the event of a VM port made with this address. */
    PortFacts facts(int host) {
      return PortFacts.newBuilder().setMacAddress(mac(host)).setDeviceOwner("compute:nova")
          .addFixedIps(PortAddress.newBuilder().setSubnetId(subnet.toString()).setIpAddress(ip(host)))
          .addRouterSubnets(RouterSubnet.newBuilder().setRouterId(id.toString()).setSubnetId(subnet.toString()))
          .build();
    }

    /** Creates a VM port with address {@code host}, its event carrying its facts; returns its id. */
    UUID createVm(Store through, int host) throws Exception {
      UUID port = UUID.randomUUID();
      await(through.write(tx -> insertPort(tx, port, subnet, mac(host), "compute:nova", ip(host)).map(v -> {
        tx.changed(ResourceType.RESOURCE_TYPE_PORT, port, 1, ChangeKind.CHANGE_KIND_CREATED, NET, List.of(id),
            List.of(HOST), facts(host));
        return null;
      })));
      return port;
    }

    void deleteVm(Store through, UUID port) throws Exception {
      await(through.write(tx -> tx.query("DELETE FROM ports WHERE id = $1", port).map(v -> {
        tx.changed(ResourceType.RESOURCE_TYPE_PORT, port, 2, ChangeKind.CHANGE_KIND_DELETED, NET, List.of(id),
            List.of(HOST), PortFacts.getDefaultInstance());
        return null;
      })));
    }

    /** A change of the router itself (no port facts): its table must be read. */
    void touch(Store through) throws Exception {
      await(through.write(tx -> tx.query("UPDATE routers SET revision = revision + 1 WHERE id = $1", id).map(v -> {
        tx.changed(ResourceType.RESOURCE_TYPE_ROUTER, id, 2, ChangeKind.CHANGE_KIND_UPDATED, null, List.of(id),
            List.of());
        return null;
      })));
    }

    /** The table as the database holds it: address to MAC. */
    Map<String, String> inDatabase() throws Exception {
      Map<String, String> table = new TreeMap<>();
      await(pg.store.read(tx -> arp.table(tx, id))).forEach(e -> table.put(e.getIpAddress(), e.getMacAddress()));
      return table;
    }

    Map<String, String> atHost() {
      return new TreeMap<>(told.getOrDefault(id.toString(), Map.of()));
    }
  }

  static Future<UUID> insertPort(Tx tx, UUID id, UUID subnet, String mac, String owner, String ip) {
    return tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner) VALUES ($1, $2, $3::text::macaddr, $4)",
            id, NET, mac, owner)
        .compose(v -> tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES ($1, $2::text::inet, $3)",
            subnet, ip, id))
        .map(id);
  }

  @Test
  @DisplayName("port creates and deletes with their facts cost no database read once the router's table is held,"
      + " and leave the host with the table the database holds")
  void portChangesCostNoRead() throws Exception {
    Router r = Router.make(1);
    ArpService service = new ArpService(pg.vertx, pg.store, 5000);
    Context context = pg.vertx.getOrCreateContext();
    MessageConsumer<Buffer> intake = listen(service, context);

    r.createVm(publishing, 11);
    awaitCondition(() -> r.atHost().containsKey(r.ip(11)));
    assertThat(on(context, service::tablesRead)).as("the first change of a router reads its table").isEqualTo(1);

    UUID twelve = r.createVm(publishing, 12);
    r.createVm(publishing, 13);
    awaitCondition(() -> r.atHost().keySet().containsAll(List.of(r.ip(12), r.ip(13))));
    r.deleteVm(publishing, twelve);
    awaitCondition(() -> !r.atHost().containsKey(r.ip(12)));
    assertThat(on(context, service::tablesRead)).as("three port changes later, still the one read").isEqualTo(1);
    assertThat(r.atHost()).isEqualTo(r.inDatabase())
        .containsOnlyKeys(r.ip(11), r.ip(13));
    await(intake.unregister());
    await(service.stop());
  }

  @Test
  @DisplayName("a change without facts, or one from the relay, reads the table; so does every table held once a change"
      + " never arrived")
  void readsWhenItMust() throws Exception {
    Router r = Router.make(2);
    ArpService service = new ArpService(pg.vertx, pg.store, 5000, 3_600_000, 3_600_000, 300);
    Context context = pg.vertx.getOrCreateContext();
    MessageConsumer<Buffer> intake = listen(service, context);

    r.createVm(publishing, 11);
    awaitCondition(() -> r.atHost().containsKey(r.ip(11)));
    assertThat(on(context, service::tablesRead)).isEqualTo(1);

    r.touch(publishing);
    awaitCondition(() -> on(context, () -> service.tablesRead() == 2 && service.updatesInFlight() == 0));

    // The relay publishes a row its writer left: no transaction to place it against the table's snapshot.
    UUID twelve = UUID.randomUUID();
    await(pg.store.write(tx -> insertPort(tx, twelve, r.subnet, r.mac(12), "compute:nova", r.ip(12))));
    on(context, () -> {
      service.take(ResourceChanged.newBuilder().setResourceType(ResourceType.RESOURCE_TYPE_PORT)
          .setResourceId(twelve.toString()).setRevision(1).setKind(ChangeKind.CHANGE_KIND_CREATED)
          .addRouterIds(r.id.toString()).setPort(r.facts(12)).build());
      return null;
    });
    awaitCondition(() -> r.atHost().containsKey(r.ip(12)));
    assertThat(on(context, service::tablesRead)).isEqualTo(3);

    // A change whose event is lost (written, never published), then one that is published: its
    // sequence shows the hole; once it has stayed open for the gap time, the table is read again.
    r.createVm(pg.store, 13);
    r.createVm(publishing, 14);
    awaitCondition(() -> r.atHost().containsKey(r.ip(14)));
    awaitCondition(() -> r.atHost().containsKey(r.ip(13)));
    assertThat(on(context, service::tablesRead)).isEqualTo(4);
    assertThat(r.atHost()).isEqualTo(r.inDatabase());
    await(intake.unregister());
    await(service.stop());
  }

  @Test
  @DisplayName("a port's create and delete arriving late or out of order never leave a stale neighbour")
  void lateAndReorderedChanges() throws Exception {
    Router r = Router.make(3);
    ArpService service = new ArpService(pg.vertx, pg.store, 5000);
    Context context = pg.vertx.getOrCreateContext();
    List<ResourceChanged> heard = new CopyOnWriteArrayList<>();
    MessageConsumer<Buffer> capture = Bus.listen(pg.vertx, EventAddresses.RESOURCE_CHANGED, ResourceChanged.parser(),
        e -> {
          if (e.getRouterIdsList().contains(r.id.toString())) {
            heard.add(e);
          }
        });
    await(capture.completion());

    r.createVm(publishing, 10);
    UUID a = r.createVm(publishing, 11);
    r.deleteVm(publishing, a);
    UUID b = r.createVm(publishing, 12);
    r.deleteVm(publishing, b);
    r.touch(publishing);
    awaitCondition(() -> heard.size() == 6);
    ResourceChanged createA = heard.get(1);
    ResourceChanged deleteA = heard.get(2);
    ResourceChanged createB = heard.get(3);
    ResourceChanged deleteB = heard.get(4);
    assertThat(createA.getChangeId()).as("the writer's events carry their transaction").isPositive();

    // The router's change is taken first: its read already holds every port change above.
    feed(service, context, heard.get(5));
    // A's create arrives after that read, its delete not yet: the read saw the create (and the
    // delete), so the create is not applied again.
    feed(service, context, createA);
    probe(r, service, context, heard, 20);
    assertThat(r.atHost()).as("A's late create adds no neighbour").containsOnlyKeys(r.ip(10), r.ip(20));
    // B's delete overtakes B's create, which then counts as out of date.
    feed(service, context, deleteB, createB);
    probe(r, service, context, heard, 21);
    assertThat(r.atHost()).containsOnlyKeys(r.ip(10), r.ip(20), r.ip(21));
    feed(service, context, deleteA);
    probe(r, service, context, heard, 22);
    assertThat(r.atHost()).isEqualTo(r.inDatabase()).containsOnlyKeys(r.ip(10), r.ip(20), r.ip(21), r.ip(22));
    assertThat(on(context, service::tablesRead)).isEqualTo(1);
    await(capture.unregister());
    await(service.stop());
  }

  /**
   * A port created and its change fed: once its entry reached the host, so did every update sent
   * before it (one sender, one receiver: the bus keeps their order).
   */
  private static void probe(Router r, ArpService service, Context context, List<ResourceChanged> heard, int host)
      throws Exception {
    UUID port = r.createVm(publishing, host);
    awaitCondition(() -> heard.stream().anyMatch(e -> e.getResourceId().equals(port.toString())));
    feed(service, context, heard.stream().filter(e -> e.getResourceId().equals(port.toString())).findFirst().orElseThrow());
    awaitCondition(() -> r.atHost().containsKey(r.ip(host)));
  }

  private static void feed(ArpService service, Context context, ResourceChanged... events) throws Exception {
    on(context, () -> {
      for (ResourceChanged e : events) {
        service.take(e);
      }
      return null;
    });
  }

  /** The service hears the published changes, on its context. */
  private static MessageConsumer<Buffer> listen(ArpService service, Context context) throws Exception {
    MessageConsumer<Buffer> consumer = on(context, () ->
        Bus.listen(pg.vertx, EventAddresses.RESOURCE_CHANGED, ResourceChanged.parser(), service::take));
    await(consumer.completion());
    return consumer;
  }
}
