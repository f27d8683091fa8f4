package io.dvr.scheduler;

import static io.dvr.store.EmbeddedStore.await;
import static io.dvr.store.OnContext.awaitCondition;
import static io.dvr.store.OnContext.on;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.RoutersChanged;
import io.dvr.proto.v1.SyncFipGatewayPortsRequest;
import io.dvr.proto.v1.SyncFipGatewayPortsResponse;
import io.dvr.scheduler.store.SchedulerStore;
import io.dvr.store.EmbeddedStore;
import io.vertx.core.Context;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A floating IP's change is told to the hosts of the ports it moved on and off, not to every host
 * of its router: a host's view holds only the floating IPs of the ports bound there. A host whose
 * fg- port the reschedule makes is told again once it is made. Real PostgreSQL and event bus; the
 * fg- port request is answered on the bus as api-gateway answers it when it has nothing to report.
 */
class FloatingIpChangeNoticeTest {
  @TempDir static Path dir;
  static EmbeddedStore pg;
  static OneVmTopology topo;
  static final UUID VM2 = UUID.randomUUID();
  static final UUID EXT = UUID.randomUUID();

  @BeforeAll
  static void open() throws Exception {
    pg = EmbeddedStore.open(dir.resolve("pg"));
    topo = OneVmTopology.write(pg);
    // A second VM on the router's subnet, on compute2: the router lives on both computes.
    await(pg.store.write(tx -> tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner, binding_host)"
            + " VALUES ($1, $2, 'fa:16:3e:00:00:0c', 'compute:nova', 'compute2')", VM2, topo.network())
        .compose(v -> tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES ($1, '10.1.0.12', $2)",
            topo.subnet(), VM2))
        .compose(v -> tx.query("INSERT INTO agents(id, host, agent_type, agent_mode, last_heartbeat) VALUES"
            + " (gen_random_uuid(), 'compute2', 'L3 agent', 'dvr', now())"))
        .compose(v -> tx.query("INSERT INTO networks(id, name, router_external) VALUES ($1, 'ext', true)", EXT))));
  }

  @AfterAll
  static void close() throws Exception {
    pg.close();
  }


  @Test
  @DisplayName("a floating IP on compute1: compute1 is told at once with it, compute2 (same router) not at all;"
      + " when the reschedule makes compute1's fg- port, compute1 is told again after it")
  void toldToItsPortsHostsOnly() throws Exception {
    Map<String, List<RoutersChanged>> told = new ConcurrentHashMap<>();
    for (String host : List.of("compute1", "compute2")) {
      told.put(host, new CopyOnWriteArrayList<>());
      await(Bus.listen(pg.vertx, EventAddresses.routersChanged(host), RoutersChanged.parser(),
          m -> told.get(host).add(m)).completion());
    }
    List<SyncFipGatewayPortsRequest> gatewayRequests = new CopyOnWriteArrayList<>();
    await(Bus.serve(pg.vertx, EventAddresses.SYNC_FIP_GATEWAY_PORTS, SyncFipGatewayPortsRequest.parser(), request -> {
      gatewayRequests.add(request);
      return io.vertx.core.Future.succeededFuture(SyncFipGatewayPortsResponse.getDefaultInstance());
    }).completion());
    SchedulerService service = new SchedulerService(pg.vertx, pg.store, new SchedulerStore(75), 5000);
    Context context = pg.vertx.getOrCreateContext();

    // The router's own change places it on both computes; both told after the reschedule.
    on(context, () -> {
      service.take(ResourceChanged.newBuilder().setSequence(1).setResourceType(ResourceType.RESOURCE_TYPE_ROUTER)
          .setResourceId(topo.router().toString()).setRevision(1).setKind(ChangeKind.CHANGE_KIND_CREATED).build());
      return null;
    });
    awaitCondition(() -> on(context, () -> service.reschedulesDone() == 1)
        && told.get("compute1").size() == 1 && told.get("compute2").size() == 1);

    // A floating IP the database does not hold (no fg- port follows from it): told at once, once.
    on(context, () -> {
      service.take(topo.floatingIpOnVm(2, UUID.randomUUID(), EXT));
      return null;
    });
    awaitCondition(() -> on(context, () -> service.reschedulesDone() == 2 && service.reschedulesInFlight() == 0));
    mark(context, told);
    assertThat(told.get("compute1")).hasSize(3);
    assertThat(told.get("compute1").get(1).getFloatingIpsList()).as("told at once, with the floating IP").hasSize(1);
    assertThat(told.get("compute1").get(2).getRouterIds(0)).as("not told again after the reschedule").isEqualTo("mark");
    assertThat(told.get("compute2")).as("compute2 holds none of compute1's floating IPs: not told")
        .extracting(m -> m.getRouterIds(0)).containsExactly(topo.router().toString(), "mark");
    assertThat(gatewayRequests).isEmpty();

    // One the database holds: the reschedule asks for compute1's fg- port, then tells compute1 to fetch it.
    UUID fip = UUID.randomUUID();
    UUID fipPort = UUID.randomUUID();
    await(pg.store.write(tx -> tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner) VALUES"
            + " ($1, $2, 'fa:16:3e:00:00:fe', 'network:floatingip')", fipPort, EXT)
        .compose(v -> tx.query("INSERT INTO floating_ips(id, floating_network_id, floating_port_id, floating_ip_address,"
            + " port_id, fixed_ip_address, router_id) VALUES ($1, $2, $3, '192.0.2.10', $4, '10.1.0.11', $5)",
            fip, EXT, fipPort, topo.vm(), topo.router()))));
    on(context, () -> {
      service.take(topo.floatingIpOnVm(3, fip, EXT));
      return null;
    });
    awaitCondition(() -> on(context, () -> service.reschedulesDone() == 3 && service.reschedulesInFlight() == 0));
    mark(context, told);
    assertThat(gatewayRequests).hasSize(1);
    assertThat(gatewayRequests.get(0).getCreate(0).getHost()).isEqualTo("compute1");
    assertThat(told.get("compute1")).extracting(m -> m.getFloatingIpsCount() + " " + m.getRouterIds(0))
        .as("at once with the floating IP, then after its fg- port was asked for")
        .containsSubsequence("1 " + topo.router(), "0 " + topo.router(), "0 mark");
    assertThat(told.get("compute1")).hasSize(6);
    assertThat(told.get("compute2")).extracting(m -> m.getRouterIds(0))
        .containsExactly(topo.router().toString(), "mark", "mark");
    await(service.stop());
  }

  /**
   * A mark sent to both hosts from the service's context after its reschedule, awaited: it arrives
   * after anything the service sent them.
   */
  private static void mark(Context context, Map<String, List<RoutersChanged>> told) throws Exception {
    Map<String, Integer> before = new ConcurrentHashMap<>();
    told.forEach((host, list) -> before.put(host, list.size()));
    on(context, () -> {
      for (String host : told.keySet()) {
        Bus.send(pg.vertx, EventAddresses.routersChanged(host),
            RoutersChanged.newBuilder().setHost(host).addRouterIds("mark").build());
      }
      return null;
    });
    awaitCondition(() -> told.entrySet().stream().allMatch(e -> e.getValue().size() > before.get(e.getKey())
        && e.getValue().get(e.getValue().size() - 1).getRouterIds(0).equals("mark")));
  }
}
