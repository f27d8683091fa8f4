package io.dvr.store;

import static io.dvr.store.EmbeddedStore.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writer publishes its change right after its commit; the outbox relay is the fallback. Real PostgreSQL. */
class WriterPublishesTest {
  @TempDir
  static Path dir;
  static EmbeddedStore pg;
  final List<ResourceChanged> received = new CopyOnWriteArrayList<>();
  MessageConsumer<Buffer> consumer;

  @BeforeAll
  static void open() throws Exception {
    pg = EmbeddedStore.open(dir.resolve("pgdata"));
  }

  @AfterAll
  static void close() throws Exception {
    pg.close();
  }

  @BeforeEach
  void listen() throws Exception {
    consumer = Bus.listen(pg.vertx, EventAddresses.RESOURCE_CHANGED, ResourceChanged.parser(), received::add);
    await(consumer.completion());
  }

  @AfterEach
  void unlisten() throws Exception {
    await(consumer.unregister());
  }

  @Test
  @DisplayName("a writer's change is on the bus with no relay running, numbered with its outbox row, and its row is marked published")
  void publishedByItsWriterWithoutTheRelay() throws Exception {
    Store writer = pg.store.publishingAfterCommit(pg.vertx, 60_000, 50);
    UUID network = UUID.randomUUID();
    await(commitChangeOf(writer, network));

    awaitCondition(() -> received.size() == 1);
    ResourceChanged event = received.get(0);
    assertThat(event.getResourceId()).isEqualTo(network.toString());
    assertThat(event.getSequence()).isEqualTo(rowOf(network));
    assertThat(event.hasCommittedAt()).isTrue();
    awaitCondition(() -> count("SELECT count(*) FROM outbox WHERE id = " + event.getSequence()
        + " AND published_at IS NOT NULL") == 1);
  }

  @Test
  @DisplayName("the rows of changes published within the mark delay are marked published by one statement")
  void rowsPublishedTogetherAreMarkedTogether() throws Exception {
    Store writer = pg.store.publishingAfterCommit(pg.vertx, 60_000, 2_000);
    List<UUID> networks = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    for (UUID network : networks) {
      await(commitChangeOf(writer, network));
    }
    awaitCondition(() -> networks.stream()
        .allMatch(n -> received.stream().anyMatch(e -> e.getResourceId().equals(n.toString()))));
    String rows = networks.stream().map(n -> String.valueOf(rowOfUnchecked(n))).collect(Collectors.joining(","));
    awaitCondition(() -> count("SELECT count(*) FROM outbox WHERE id IN (" + rows + ") AND published_at IS NOT NULL")
        == networks.size());
    // One UPDATE stamps its rows with its transaction's now(): four changes, one time.
    assertThat(count("SELECT count(DISTINCT published_at) FROM outbox WHERE id IN (" + rows + ")")).isEqualTo(1);
  }

  @Test
  @DisplayName("a change whose writer died between its commit and its publish leaves through the relay, with the same sequence")
  void writerDiedRelayPublishes() throws Exception {
    // Dies as a killed process would: committed, nothing published, nothing marked.
    Store writer = pg.store.publishingWith(new OutboxPublisher(pg.vertx, pg.db.pool(), 300, 0) {
      @Override
      void committed(Outbox.Written written) {
      }
    });
    UUID network = UUID.randomUUID();
    await(commitChangeOf(writer, network));
    long row = rowOf(network);
    OutboxRelay relay = new OutboxRelay(pg.vertx, pg.db.pool(), pg.db.connectOptions(), 100, 60_000);
    try {
      await(relay.start());
      awaitCondition(() -> received.stream().anyMatch(e -> e.getResourceId().equals(network.toString())));
      assertThat(received).filteredOn(e -> e.getResourceId().equals(network.toString()))
          .extracting(ResourceChanged::getSequence).containsExactly(row);
    } finally {
      await(relay.stop());
    }
  }

  private static Future<Void> commitChangeOf(Store store, UUID network) {
    return store.write(tx -> {
      tx.changed(ResourceType.RESOURCE_TYPE_NETWORK, network, 1, ChangeKind.CHANGE_KIND_CREATED);
      return Future.succeededFuture();
    }).mapEmpty();
  }

  private static long rowOf(UUID resource) throws Exception {
    return await(pg.db.pool().query("SELECT id, payload FROM outbox").execute().map(rows -> {
      for (var r : rows) {
        try {
          if (ResourceChanged.parseFrom(r.getBuffer("payload").getBytes()).getResourceId().equals(resource.toString())) {
            return r.getLong("id");
          }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new IllegalStateException(e);
        }
      }
      throw new AssertionError("no outbox row for " + resource);
    }));
  }

  private static long rowOfUnchecked(UUID resource) {
    try {
      return rowOf(resource);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
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
