package io.dvr.scheduler;

import static io.dvr.store.EmbeddedStore.await;
import static io.dvr.store.OnContext.awaitCondition;
import static io.dvr.store.OnContext.on;
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
import java.util.List;
import java.util.UUID;
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
  static OneVmTopology topo;

  @BeforeAll
  static void open() throws Exception {
    pg = EmbeddedStore.open(dir.resolve("pg"));
    topo = OneVmTopology.write(pg);
  }

  @AfterAll
  static void close() throws Exception {
    pg.close();
  }

  private static ResourceChanged portChange(long sequence) {
    return ResourceChanged.newBuilder().setSequence(sequence).setResourceType(ResourceType.RESOURCE_TYPE_PORT)
        .setResourceId(UUID.randomUUID().toString()).setRevision(1).setKind(ChangeKind.CHANGE_KIND_CREATED)
        .addRouterIds(topo.router().toString()).addHosts("compute1").build();
  }

  /** A topo.vm() port moved from compute1 to compute2, with the facts its event carries. */
  private static ResourceChanged portMoved(long sequence) {
    return portChange(sequence).toBuilder().setResourceId(topo.vm().toString()).setKind(ChangeKind.CHANGE_KIND_UPDATED)
        .setNetworkId(topo.network().toString()).addHosts("compute2").setPort(PortFacts.newBuilder()
            .setMacAddress("fa:16:3e:00:00:0b").setDeviceOwner("compute:nova").setBindingHost("compute2")
            .setStatus("DOWN").addFixedIps(PortAddress.newBuilder().setSubnetId(topo.subnet().toString())
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
    var holder = pg.store.write(tx -> SchedulerStore.lockRouter(tx, topo.router()).compose(v -> {
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
    assertThat(told.get(1).getRouterIdsList()).containsExactly(topo.router().toString());

    assertThat(told.get(1).getPortsList()).as("an event without the port's facts: the host fetches it").isEmpty();

    // A port's move told at once: compute1 hears that it is no longer there (compute2 does not carry the router).
    on(context, () -> {
      service.take(portMoved(3));
      return null;
    });
    awaitCondition(() -> told.size() == 3);
    assertThat(told.get(2).getPortsList()).containsExactly(PortChange.newBuilder().setPortId(topo.vm().toString())
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
        .containsExactly(topo.router().toString(), topo.router().toString(), topo.router().toString(), "mark");
    await(service.stop());
  }

  @Test
  @DisplayName("port changes on hosts carrying their router: one reschedule after the delay takes them all; a change naming another host is rescheduled at once")
  void reschedulesOfCarriedPortsWaitAndJoin() throws Exception {
    List<RoutersChanged> told = new CopyOnWriteArrayList<>();
    await(Bus.listen(pg.vertx, EventAddresses.routersChanged("compute1"), RoutersChanged.parser(), told::add).completion());
    SchedulerService service = new SchedulerService(pg.vertx, pg.store, new SchedulerStore(75), 5000, 3000);
    Context context = pg.vertx.getOrCreateContext();

    // Nobody carries the router yet: its reschedule (which places it) runs at once.
    assertThat(on(context, () -> {
      service.take(portChange(11));
      return service.reschedulesWaiting();
    })).as("a change naming a host the router is not placed on waits for nothing").isZero();
    awaitCondition(() -> on(context, () -> service.reschedulesDone() == 1 && service.reschedulesInFlight() == 0));

    // compute1 carries it now: five port changes there, told at once, rescheduled once after the delay.
    assertThat(on(context, () -> {
      for (long sequence = 12; sequence <= 16; sequence++) {
        service.take(portChange(sequence));
      }
      return service.reschedulesWaiting();
    })).as("the reschedule of port changes on carrying hosts waits").isEqualTo(1);
    awaitCondition(() -> told.size() == 6);
    assertThat(on(context, service::reschedulesDone)).as("told before their reschedule").isEqualTo(1);
    awaitCondition(() -> on(context, () -> service.reschedulesInFlight() == 0));
    assertThat(on(context, service::reschedulesDone)).as("one reschedule for the five").isEqualTo(2);

    // A move to compute2, which does not carry the router: rescheduled at once, taking the waiting one with it.
    assertThat(on(context, () -> {
      service.take(portChange(17));
      service.take(portMoved(18));
      return service.reschedulesWaiting();
    })).as("a change naming a host without the router ends the wait").isZero();
    awaitCondition(() -> on(context, () -> service.reschedulesDone() == 3 && service.reschedulesInFlight() == 0));
    await(service.stop());
  }
}
