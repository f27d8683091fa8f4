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
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A floating IP moves no router: its reschedule decides the fg- ports under the router's lock and
 * leaves the placement as the scheduler last made it. A VM port bound to compute2 behind the
 * scheduler's back (its change not yet taken) shows it: a floating IP's change does not place the
 * router there, the port's own change does; a scheduler that does not know the router yet places
 * it whatever the change. Real PostgreSQL and event bus.
 */
class FloatingIpRescheduleTest {
  @TempDir static Path dir;
  static EmbeddedStore pg;
  static OneVmTopology topo;
  static final UUID VM2 = UUID.randomUUID();
  static final UUID EXT = UUID.randomUUID();

  @BeforeAll
  static void open() throws Exception {
    pg = EmbeddedStore.open(dir.resolve("pg"));
    topo = OneVmTopology.write(pg);
    await(pg.store.write(tx -> tx.query("INSERT INTO agents(id, host, agent_type, agent_mode, last_heartbeat) VALUES"
            + " (gen_random_uuid(), 'compute2', 'L3 agent', 'dvr', now())")
        .compose(v -> tx.query("INSERT INTO networks(id, name, router_external) VALUES ($1, 'ext', true)", EXT))));
  }

  @AfterAll
  static void close() throws Exception {
    pg.close();
  }


  private static List<String> boundHosts() throws Exception {
    return await(pg.store.read(tx -> tx.all("SELECT host FROM router_host_bindings WHERE router_id = $1 ORDER BY host",
        topo.router()))).stream().map(r -> r.getString("host")).toList();
  }

  private static void take(Context context, SchedulerService service, ResourceChanged event, long reschedulesAfter)
      throws Exception {
    on(context, () -> {
      service.take(event);
      return null;
    });
    awaitCondition(() -> on(context, () -> service.reschedulesDone() == reschedulesAfter
        && service.reschedulesInFlight() == 0));
  }

  @Test
  @DisplayName("a floating IP's change leaves the router where it was placed; a port's change, or a scheduler that"
      + " does not know the router, places it anew")
  void floatingIpMovesNoRouter() throws Exception {
    List<RoutersChanged> compute2 = new CopyOnWriteArrayList<>();
    await(Bus.listen(pg.vertx, EventAddresses.routersChanged("compute2"), RoutersChanged.parser(), compute2::add)
        .completion());
    await(Bus.serve(pg.vertx, EventAddresses.SYNC_FIP_GATEWAY_PORTS, SyncFipGatewayPortsRequest.parser(),
        request -> Future.succeededFuture(SyncFipGatewayPortsResponse.getDefaultInstance())).completion());
    SchedulerService service = new SchedulerService(pg.vertx, pg.store, new SchedulerStore(75), 5000);
    Context context = pg.vertx.getOrCreateContext();
    take(context, service, ResourceChanged.newBuilder().setSequence(1).setResourceType(ResourceType.RESOURCE_TYPE_ROUTER)
        .setResourceId(topo.router().toString()).setRevision(1).setKind(ChangeKind.CHANGE_KIND_CREATED).build(), 1);
    assertThat(boundHosts()).containsExactly("compute1");

    // A VM on the router's subnet bound to compute2; its change is not taken yet.
    await(pg.store.write(tx -> tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner, binding_host)"
            + " VALUES ($1, $2, 'fa:16:3e:00:00:0c', 'compute:nova', 'compute2')", VM2, topo.network())
        .compose(v -> tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES ($1, '10.1.0.12', $2)",
            topo.subnet(), VM2))));

    take(context, service, topo.floatingIpOnVm(2, UUID.randomUUID(), EXT), 2);
    assertThat(boundHosts()).as("a floating IP's reschedule does not recompute the placement").containsExactly("compute1");
    assertThat(compute2).isEmpty();

    take(context, service, ResourceChanged.newBuilder().setSequence(3).setResourceType(ResourceType.RESOURCE_TYPE_PORT)
        .setResourceId(VM2.toString()).setRevision(1).setKind(ChangeKind.CHANGE_KIND_CREATED)
        .setNetworkId(topo.network().toString()).addRouterIds(topo.router().toString()).addHosts("compute2").build(), 3);
    assertThat(boundHosts()).as("the port's change places the router on its host").containsExactly("compute1", "compute2");
    assertThat(compute2).hasSize(1);
    await(service.stop());

    // compute2's VM goes behind a new scheduler's back; the new scheduler knows no router yet.
    await(pg.store.write(tx -> tx.query("DELETE FROM ip_allocations WHERE port_id = $1", VM2)
        .compose(v -> tx.query("DELETE FROM ports WHERE id = $1", VM2))));
    SchedulerService fresh = new SchedulerService(pg.vertx, pg.store, new SchedulerStore(75), 5000);
    take(context, fresh, topo.floatingIpOnVm(4, UUID.randomUUID(), EXT), 1);
    assertThat(boundHosts()).as("placed anew: this scheduler did not know where the router lived")
        .containsExactly("compute1");
    assertThat(compute2).as("compute2 told that it lost the router").hasSize(2);
    await(fresh.stop());
  }
}
