package io.dvr.scheduler;

import static io.dvr.store.EmbeddedStore.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.RouterPlacement;
import io.dvr.scheduler.store.SchedulerStore;
import io.dvr.store.EmbeddedStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scheduler-svc announces where a router lives after a reschedule moved it (arp-svc's router -> hosts map). */
class PlacementAnnouncementTest {
  @TempDir static Path dir;
  static EmbeddedStore pg;
  static final UUID NET = UUID.randomUUID();
  static final UUID SUBNET = UUID.randomUUID();
  static final UUID ROUTER = UUID.randomUUID();
  static final UUID VM = UUID.randomUUID();

  @BeforeAll
  static void open() throws Exception {
    pg = EmbeddedStore.open(dir.resolve("pg"));
    UUID interfacePort = UUID.randomUUID();
    await(pg.store.write(tx -> tx.query("INSERT INTO networks(id, name) VALUES ($1, 'net')", NET)
        .compose(v -> tx.query("INSERT INTO routers(id, name) VALUES ($1, 'r')", ROUTER))
        .compose(v -> tx.query("INSERT INTO subnets(id, network_id, name, cidr, gateway_ip) VALUES"
            + " ($1, $2, 'a', '10.1.0.0/24', '10.1.0.1')", SUBNET, NET))
        .compose(v -> tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner) VALUES"
            + " ($1, $2, 'fa:16:3e:01:00:01', 'network:router_interface_distributed'),"
            + " ($3, $2, 'fa:16:3e:00:00:0b', 'compute:nova')", interfacePort, NET, VM))
        .compose(v -> tx.query("UPDATE ports SET binding_host = 'compute1' WHERE id = $1", VM))
        .compose(v -> tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES"
            + " ($1, '10.1.0.1', $2), ($1, '10.1.0.11', $3)", SUBNET, interfacePort, VM))
        .compose(v -> tx.query("INSERT INTO router_interfaces(router_id, subnet_id, port_id) VALUES ($1, $2, $3)",
            ROUTER, SUBNET, interfacePort))
        .compose(v -> tx.query("INSERT INTO agents(id, host, agent_type, agent_mode, last_heartbeat) VALUES"
            + " (gen_random_uuid(), 'compute1', 'L3 agent', 'dvr', now())"))));
  }

  @AfterAll
  static void close() throws Exception {
    pg.close();
  }

  @Test
  @DisplayName("a reschedule that puts a router on a host publishes every host that carries it now")
  void placementAnnounced() throws Exception {
    List<RouterPlacement> heard = new CopyOnWriteArrayList<>();
    await(Bus.listen(pg.vertx, EventAddresses.ROUTER_PLACEMENT, RouterPlacement.parser(), heard::add).completion());
    SchedulerService service = new SchedulerService(pg.vertx, pg.store, new SchedulerStore(75), 5000);
    pg.vertx.runOnContext(v -> service.take(ResourceChanged.newBuilder().setSequence(1)
        .setResourceType(ResourceType.RESOURCE_TYPE_PORT).setResourceId(VM.toString()).setRevision(1)
        .setKind(ChangeKind.CHANGE_KIND_CREATED).addRouterIds(ROUTER.toString()).addHosts("compute1").build()));
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (heard.isEmpty() && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(heard).containsExactly(RouterPlacement.newBuilder().setRouterId(ROUTER.toString()).addHosts("compute1").build());
    await(service.stop());
  }
}
