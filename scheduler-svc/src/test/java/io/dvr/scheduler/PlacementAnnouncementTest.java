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

  @Test
  @DisplayName("a reschedule that puts a router on a host publishes every host that carries it now")
  void placementAnnounced() throws Exception {
    List<RouterPlacement> heard = new CopyOnWriteArrayList<>();
    await(Bus.listen(pg.vertx, EventAddresses.ROUTER_PLACEMENT, RouterPlacement.parser(), heard::add).completion());
    SchedulerService service = new SchedulerService(pg.vertx, pg.store, new SchedulerStore(75), 5000);
    pg.vertx.runOnContext(v -> service.take(ResourceChanged.newBuilder().setSequence(1)
        .setResourceType(ResourceType.RESOURCE_TYPE_PORT).setResourceId(topo.vm().toString()).setRevision(1)
        .setKind(ChangeKind.CHANGE_KIND_CREATED).addRouterIds(topo.router().toString()).addHosts("compute1").build()));
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (heard.isEmpty() && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(heard).containsExactly(RouterPlacement.newBuilder().setRouterId(topo.router().toString()).addHosts("compute1").build());
    await(service.stop());
  }
}
