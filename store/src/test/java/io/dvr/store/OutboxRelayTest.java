package io.dvr.store;

import static io.dvr.store.EmbeddedStore.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.Metrics;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.vertx.core.Future;
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

/** The outbox relay on a real PostgreSQL and a Vert.x event bus. */
class OutboxRelayTest {
  @TempDir
  static Path dir;
  static EmbeddedStore pg;

  @BeforeAll
  static void open() throws Exception {
    pg = EmbeddedStore.open(dir.resolve("pgdata"));
  }

  @AfterAll
  static void close() throws Exception {
    pg.close();
  }

  @Test
  @DisplayName("an event published just before its relay died is published once more by the next relay to start")
  void nextRelayPublishesWhatTheLastMayNotHaveGotOut() throws Exception {
    List<ResourceChanged> received = new CopyOnWriteArrayList<>();
    var consumer = Bus.listen(pg.vertx, EventAddresses.RESOURCE_CHANGED, ResourceChanged.parser(), received::add);
    await(consumer.completion());
    UUID network = UUID.randomUUID();
    double lagBefore = lagCount();
    double receivedBefore = received();
    OutboxRelay first = relay(60_000);
    try {
      await(first.start());
      await(commitChangeOf(network));
      awaitCondition(() -> received.size() == 1);
      // Its commit marked the row published: what a relay killed just after it leaves behind.
      awaitCondition(() -> count("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL") == 1);
    } finally {
      // Stopped as a killed process stops: nothing tidied after it.
      await(first.stop());
    }

    OutboxRelay next = relay(60_000);
    try {
      await(next.start());
      awaitCondition(() -> received.size() == 2);
      assertThat(received).extracting(ResourceChanged::getResourceId).containsExactly(network.toString(), network.toString());
      assertThat(received.get(1).getSequence()).isEqualTo(received.get(0).getSequence());
      assertThat(lagCount() - lagBefore).as("dvr_outbox_publish_lag_seconds_count").isEqualTo(2);
      assertThat(received() - receivedBefore).as("dvr_bus_events_received_total of the address").isEqualTo(2);
      awaitCondition(() -> Metrics.registry().get("dvr.outbox.pending").gauge().value() == 0);
    } finally {
      await(next.stop());
      await(consumer.unregister());
    }
  }

  @Test
  @DisplayName("a published row is deleted once kept for the retention")
  void publishedRowsAreForgottenAfterTheRetention() throws Exception {
    OutboxRelay relay = relay(300);
    try {
      await(relay.start());
      await(commitChangeOf(UUID.randomUUID()));
      awaitCondition(() -> count("SELECT count(*) FROM outbox") == 0);
    } finally {
      await(relay.stop());
    }
  }

  private static double lagCount() {
    var timer = Metrics.registry().find("dvr.outbox.publish.lag").timer();
    return timer == null ? 0 : timer.count();
  }

  private static double received() {
    var counter = Metrics.registry().find("dvr.bus.events.received").tag("address", EventAddresses.RESOURCE_CHANGED)
        .counter();
    return counter == null ? 0 : counter.count();
  }

  private static OutboxRelay relay(long retainMillis) {
    return new OutboxRelay(pg.vertx, pg.db.pool(), pg.db.connectOptions(), 100, retainMillis);
  }

  private static Future<Void> commitChangeOf(UUID network) {
    return pg.store.write(tx -> {
      tx.changed(ResourceType.RESOURCE_TYPE_NETWORK, network, 1, ChangeKind.CHANGE_KIND_CREATED);
      return Future.succeededFuture();
    }).mapEmpty();
  }

  private static long count(String sql) throws Exception {
    return await(pg.db.pool().query(sql).execute().map(rows -> rows.iterator().next().getLong(0)));
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  private static void awaitCondition(Condition condition) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 30 s");
      }
      Thread.sleep(20);
    }
  }
}
