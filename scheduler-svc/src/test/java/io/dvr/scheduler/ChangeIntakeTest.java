package io.dvr.scheduler;

import static io.dvr.store.EmbeddedStore.await;
import static io.dvr.store.OnContext.awaitCondition;
import static io.dvr.store.OnContext.on;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.dvr.scheduler.store.SchedulerStore;
import io.dvr.store.EmbeddedStore;
import io.vertx.core.Context;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scheduler-svc's intake of ResourceChanged: each change is acted on once, a late one not at all. Real PostgreSQL. */
class ChangeIntakeTest {
  @TempDir static Path dir;
  static EmbeddedStore pg;
  static final UUID ROUTER = UUID.randomUUID();

  @BeforeAll
  static void open() throws Exception {
    pg = EmbeddedStore.open(dir.resolve("pg"));
    await(pg.store.write(tx -> tx.query("INSERT INTO routers(id, name) VALUES ($1, 'r')", ROUTER)));
  }

  @AfterAll
  static void close() throws Exception {
    pg.close();
  }

  @Test
  @DisplayName("a port change published twice (by its writer, then by the relay) is rescheduled once, and an older one after it not at all")
  void repeatedAndLateChangesCauseNoWork() throws Exception {
    SchedulerService service = new SchedulerService(pg.vertx, pg.store, new SchedulerStore(75), 5000);
    Context context = pg.vertx.getOrCreateContext();
    ResourceChanged change = ResourceChanged.newBuilder().setSequence(41).setResourceType(ResourceType.RESOURCE_TYPE_PORT)
        .setResourceId(UUID.randomUUID().toString()).setRevision(2).setKind(ChangeKind.CHANGE_KIND_UPDATED)
        .addRouterIds(ROUTER.toString()).addHosts("compute1").build();

    assertThat(on(context, () -> {
      service.take(change);
      return service.reschedulesInFlight();
    })).as("the first copy starts a reschedule").isEqualTo(1);
    awaitCondition(() -> on(context, () -> service.reschedulesDone() == 1 && service.reschedulesInFlight() == 0));

    assertThat(on(context, () -> {
      service.take(change);
      service.take(change.toBuilder().setSequence(40).setRevision(1).build());
      return service.reschedulesInFlight();
    })).as("the repeat and the older change start nothing").isZero();

    assertThat(on(context, () -> {
      service.take(change.toBuilder().setSequence(42).setRevision(3).build());
      return service.reschedulesInFlight();
    })).as("a newer change is acted on").isEqualTo(1);
    awaitCondition(() -> on(context, () -> service.reschedulesDone() == 2 && service.reschedulesInFlight() == 0));
    await(service.stop());
  }
}
