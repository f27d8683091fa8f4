package io.dvr.arp;

import static io.dvr.store.EmbeddedStore.await;
import static io.dvr.store.OnContext.awaitCondition;
import static io.dvr.store.OnContext.on;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.RouterHost;
import io.dvr.store.EmbeddedStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** arp-svc's intake of ResourceChanged: each change is acted on once, a late one not at all. Real PostgreSQL. */
class ChangeIntakeTest {
  @TempDir static Path dir;
  static EmbeddedStore pg;
  static final UUID ROUTER = UUID.randomUUID();

  @BeforeAll
  static void open() throws Exception {
    pg = EmbeddedStore.open(dir.resolve("pg"));
    // Where the router lives, as scheduler-svc would answer.
    await(Bus.serve(pg.vertx, EventAddresses.LIST_HOSTS_FOR_ROUTER, ListHostsForRouterRequest.parser(),
        request -> Future.succeededFuture(ListHostsForRouterResponse.newBuilder()
            .addHosts(RouterHost.newBuilder().setHost("compute1")).build())).completion());
  }

  @AfterAll
  static void close() throws Exception {
    pg.close();
  }

  @Test
  @DisplayName("a port change published twice (by its writer, then by the relay) updates its routers once, and an older one after it not at all")
  void repeatedAndLateChangesCauseNoWork() throws Exception {
    ArpService service = new ArpService(pg.vertx, pg.store, 5000);
    Context context = pg.vertx.getOrCreateContext();
    ResourceChanged change = ResourceChanged.newBuilder().setSequence(41).setResourceType(ResourceType.RESOURCE_TYPE_PORT)
        .setResourceId(UUID.randomUUID().toString()).setRevision(2).setKind(ChangeKind.CHANGE_KIND_UPDATED)
        .addRouterIds(ROUTER.toString()).build();

    assertThat(on(context, () -> {
      service.take(change);
      return service.updatesInFlight();
    })).as("the first copy starts an update").isEqualTo(1);
    awaitCondition(() -> on(context, () -> service.updatesInFlight() == 0));

    assertThat(on(context, () -> {
      service.take(change);
      service.take(change.toBuilder().setSequence(40).setRevision(1).build());
      return service.updatesInFlight();
    })).as("the repeat and the older change start nothing").isZero();

    assertThat(on(context, () -> {
      service.take(change.toBuilder().setSequence(42).setRevision(3).build());
      return service.updatesInFlight();
    })).as("a newer change is acted on").isEqualTo(1);
    awaitCondition(() -> on(context, () -> service.updatesInFlight() == 0));
    await(service.stop());
  }
}
