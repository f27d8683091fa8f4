package io.dvr.arp;

import static io.dvr.store.EmbeddedStore.await;
import static io.dvr.store.OnContext.awaitCondition;
import static io.dvr.store.OnContext.on;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.ArpUpdate;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterPlacement;
import io.dvr.store.EmbeddedStore;
import io.dvr.store.Tx;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where arp-svc sends a router's ARP changes: known from scheduler-svc's placement announcements, asked for once. */
class ArpTargetsTest {
  @TempDir static Path dir;
  static EmbeddedStore pg;
  static final UUID NET = UUID.randomUUID();
  static final UUID SUBNET = UUID.randomUUID();
  static final UUID ROUTER = UUID.randomUUID();
  static final AtomicInteger asked = new AtomicInteger();
  static final List<String> compute1 = new CopyOnWriteArrayList<>();
  static final List<String> compute2 = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void open() throws Exception {
    pg = EmbeddedStore.open(dir.resolve("pg"));
    await(pg.store.write(tx -> tx.query("INSERT INTO networks(id, name) VALUES ($1, 'net')", NET)
        .compose(v -> tx.query("INSERT INTO routers(id, name) VALUES ($1, 'r')", ROUTER))
        .compose(v -> tx.query("INSERT INTO subnets(id, network_id, name, cidr, gateway_ip) VALUES"
            + " ($1, $2, 'a', '10.1.0.0/24', '10.1.0.1')", SUBNET, NET))
        .compose(v -> port(tx, "fa:16:3e:01:00:01", "network:router_interface_distributed", "10.1.0.1"))
        .compose(v -> tx.query("INSERT INTO router_interfaces(router_id, subnet_id, port_id)"
            + " SELECT $1, $2, id FROM ports WHERE mac_address = 'fa:16:3e:01:00:01'", ROUTER, SUBNET))));
    // scheduler-svc's answer: the router lives on compute1; every ask is counted.
    await(Bus.serve(pg.vertx, EventAddresses.LIST_HOSTS_FOR_ROUTER, ListHostsForRouterRequest.parser(), request -> {
      asked.incrementAndGet();
      return Future.succeededFuture(ListHostsForRouterResponse.newBuilder()
          .addHosts(RouterHost.newBuilder().setHost("compute1")).build());
    }).completion());
    await(Bus.listen(pg.vertx, EventAddresses.arpUpdate("compute1"), ArpUpdate.parser(), u -> added(u, compute1)).completion());
    await(Bus.listen(pg.vertx, EventAddresses.arpUpdate("compute2"), ArpUpdate.parser(), u -> added(u, compute2)).completion());
  }

  private static void added(ArpUpdate update, List<String> into) {
    update.getAddList().stream().map(ArpEntry::getIpAddress).forEach(into::add);
  }

  static Future<Void> port(Tx tx, String mac, String owner, String ip) {
    UUID id = UUID.randomUUID();
    return tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner) VALUES ($1, $2, $3::text::macaddr, $4)",
            id, NET, mac, owner)
        .compose(v -> tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES ($1, $2::text::inet, $3)",
            SUBNET, ip, id))
        .mapEmpty();
  }

  @AfterAll
  static void close() throws Exception {
    pg.close();
  }

  @Test
  @DisplayName("the router's hosts are asked for once; later port changes go where the last placement announcement says")
  void hostsKnownFromPlacementAnnouncements() throws Exception {
    ArpService service = new ArpService(pg.vertx, pg.store, 5000, 3_600_000);
    Context context = pg.vertx.getOrCreateContext();

    vm(service, context, 1, "10.1.0.11");
    awaitCondition(() -> compute1.contains("10.1.0.11"));
    assertThat(asked).as("the first change asks where the router lives").hasValue(1);

    vm(service, context, 2, "10.1.0.12");
    awaitCondition(() -> compute1.contains("10.1.0.12"));
    assertThat(asked).as("the next change knows it").hasValue(1);

    // scheduler-svc placed the router on compute2 as well.
    on(context, () -> {
      service.placed(RouterPlacement.newBuilder().setRouterId(ROUTER.toString()).addHosts("compute1").addHosts("compute2")
          .build());
      return null;
    });
    vm(service, context, 3, "10.1.0.13");
    awaitCondition(() -> compute1.contains("10.1.0.13") && compute2.contains("10.1.0.13"));
    assertThat(asked).as("a placement announcement needs no question").hasValue(1);
    assertThat(on(context, service::hostsAsked)).isEqualTo(1);
    await(service.stop());
  }

  /** A VM port committed on the router's subnet, and its change taken by arp-svc. */
  private static void vm(ArpService service, Context context, int n, String ip) throws Exception {
    await(pg.store.write(tx -> port(tx, String.format("fa:16:3e:00:00:%02x", n), "compute:nova", ip)));
    on(context, () -> {
      service.take(ResourceChanged.newBuilder().setSequence(n).setResourceType(ResourceType.RESOURCE_TYPE_PORT)
          .setResourceId(UUID.randomUUID().toString()).setRevision(1).setKind(ChangeKind.CHANGE_KIND_CREATED)
          .addRouterIds(ROUTER.toString()).addHosts("compute1").build());
      return null;
    });
  }
}
