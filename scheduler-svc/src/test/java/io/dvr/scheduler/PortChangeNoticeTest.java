package io.dvr.scheduler;

import static io.dvr.store.EmbeddedStore.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.PortAddress;
import io.dvr.proto.v1.PortChange;
import io.dvr.proto.v1.PortFacts;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.RoutersChanged;
import io.dvr.scheduler.store.SchedulerStore;
import io.dvr.store.EmbeddedStore;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A port change on a host that carries its router already is told to that host at once, not
 * after the router's reschedule (which leaves that host as it was), and not told again after it.
 * Real PostgreSQL; the reschedule is held back by holding the router's placement lock.
 */
class PortChangeNoticeTest {
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

  private static ResourceChanged portChange(long sequence) {
    return ResourceChanged.newBuilder().setSequence(sequence).setResourceType(ResourceType.RESOURCE_TYPE_PORT)
        .setResourceId(UUID.randomUUID().toString()).setRevision(1).setKind(ChangeKind.CHANGE_KIND_CREATED)
        .addRouterIds(ROUTER.toString()).addHosts("compute1").build();
  }

  /** A VM port moved from compute1 to compute2, with the facts its event carries. */
  private static ResourceChanged portMoved(long sequence) {
    return portChange(sequence).toBuilder().setResourceId(VM.toString()).setKind(ChangeKind.CHANGE_KIND_UPDATED)
        .setNetworkId(NET.toString()).addHosts("compute2").setPort(PortFacts.newBuilder()
            .setMacAddress("fa:16:3e:00:00:0b").setDeviceOwner("compute:nova").setBindingHost("compute2")
            .setStatus("DOWN").addFixedIps(PortAddress.newBuilder().setSubnetId(SUBNET.toString())
                .setIpAddress("10.1.0.11"))).build();
  }

  @Test
  @DisplayName("a port change on a host carrying its router: the host is told before the reschedule ends, once")
  void toldAtOnceAndOnce() throws Exception {
    List<RoutersChanged> told = new CopyOnWriteArrayList<>();
    List<String> marks = new CopyOnWriteArrayList<>();
    await(Bus.listen(pg.vertx, EventAddresses.routersChanged("compute1"), RoutersChanged.parser(), m -> {
      told.add(m);
      marks.add(m.getRouterIds(0));
    }).completion());
    SchedulerService service = new SchedulerService(pg.vertx, pg.store, new SchedulerStore(75), 5000);
    Context context = pg.vertx.getOrCreateContext();

    // The first port change places the router on compute1: told after the reschedule.
    on(context, () -> {
      service.take(portChange(1));
      return null;
    });
    awaitCondition(() -> on(context, () -> service.reschedulesDone() == 1) && told.size() == 1);

    // The router's placement lock held elsewhere: the next reschedule waits for it.
    Promise<Void> locked = Promise.promise();
    Promise<Void> release = Promise.promise();
    var holder = pg.store.write(tx -> SchedulerStore.lockRouter(tx, ROUTER).compose(v -> {
      locked.complete();
      return release.future();
    }));
    await(locked.future());
    on(context, () -> {
      service.take(portChange(2));
      return null;
    });
    awaitCondition(() -> told.size() == 2);
    assertThat(on(context, service::reschedulesDone)).as("told while the reschedule waits for the lock").isEqualTo(1);
    assertThat(told.get(1).getRouterIdsList()).containsExactly(ROUTER.toString());

    assertThat(told.get(1).getPortsList()).as("an event without the port's facts: the host fetches it").isEmpty();

    // A port's move told at once: compute1 hears that it is no longer there (compute2 does not carry the router).
    on(context, () -> {
      service.take(portMoved(3));
      return null;
    });
    awaitCondition(() -> told.size() == 3);
    assertThat(told.get(2).getPortsList()).containsExactly(PortChange.newBuilder().setPortId(VM.toString())
        .setSequence(3).setBoundHere(false).build());

    release.complete();
    await(holder);
    awaitCondition(() -> on(context, () -> service.reschedulesDone() >= 2 && service.reschedulesInFlight() == 0));
    // A mark sent from the service's context after the reschedule arrives after anything it sent.
    on(context, () -> {
      Bus.send(pg.vertx, EventAddresses.routersChanged("compute1"),
          RoutersChanged.newBuilder().setHost("compute1").addRouterIds("mark").build());
      return null;
    });
    awaitCondition(() -> marks.contains("mark"));
    assertThat(marks).as("compute1 kept the router: not told again after the reschedule")
        .containsExactly(ROUTER.toString(), ROUTER.toString(), ROUTER.toString(), "mark");
    await(service.stop());
  }

  private static <T> T on(Context context, Callable<T> action) throws Exception {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        result.complete(action.call());
      } catch (Exception e) {
        result.fail(e);
      }
    });
    return await(result.future());
  }

  private static void awaitCondition(Callable<Boolean> condition) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 30 s");
      }
      Thread.sleep(20);
    }
  }
}
