package io.dvr.store;

import static io.dvr.store.EmbeddedStore.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.common.grpc.ApiError;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.ResourceType;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write's statements go behind BEGIN and behind each other without waiting for answers
 * (pipelined): what commits, what rolls back and which error is told must be as if each had waited.
 * Real PostgreSQL.
 */
class StoreWriteTest {
  @TempDir
  static Path dir;
  static EmbeddedStore pg;

  @BeforeAll
  static void open() throws Exception {
    pg = EmbeddedStore.open(dir.resolve("pgdata"));
    await(pg.db.pool().query("CREATE TABLE write_probe (id int PRIMARY KEY, note text)").execute());
  }

  @AfterAll
  static void close() throws Exception {
    pg.close();
  }

  @BeforeEach
  void empty() throws Exception {
    await(pg.db.pool().query("TRUNCATE write_probe").execute());
  }

  @Test
  @DisplayName("statements sent at once, before BEGIN is answered, commit together with the write's outbox row")
  void statementsSentAtOnceCommitTogether() throws Exception {
    UUID resource = UUID.randomUUID();
    long outboxBefore = count("SELECT count(*) FROM outbox");
    int made = await(pg.store.write(tx -> {
      Future<?> a = tx.query("INSERT INTO write_probe VALUES (1, 'a')");
      Future<?> b = tx.query("INSERT INTO write_probe VALUES (2, 'b')");
      Future<?> c = tx.query("UPDATE write_probe SET note = 'a2' WHERE id = 1");
      tx.changed(ResourceType.RESOURCE_TYPE_NETWORK, resource, 1, ChangeKind.CHANGE_KIND_CREATED);
      return Future.all(a, b, c).map(v -> 2);
    }));
    assertThat(made).isEqualTo(2);
    assertThat(count("SELECT count(*) FROM write_probe")).isEqualTo(2);
    assertThat(count("SELECT count(*) FROM write_probe WHERE id = 1 AND note = 'a2'")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM outbox")).isEqualTo(outboxBefore + 1);
    assertThat(count("SELECT count(*) FROM changes WHERE resource_id = '" + resource + "'")).isEqualTo(1);
  }

  @Test
  @DisplayName("the first statement failing fails the write with its own error; the statements behind it leave nothing")
  void firstFailureIsTheErrorAndNothingStays() throws Exception {
    await(pg.db.pool().query("INSERT INTO write_probe VALUES (1, 'held')").execute());
    UUID resource = UUID.randomUUID();
    assertThatThrownBy(() -> await(pg.store.write(tx -> {
      Future<?> taken = tx.query("INSERT INTO write_probe VALUES (1, 'again')");
      Future<?> behind = tx.query("INSERT INTO write_probe VALUES (3, 'behind')");
      tx.changed(ResourceType.RESOURCE_TYPE_NETWORK, resource, 1, ChangeKind.CHANGE_KIND_CREATED);
      return taken.compose(v -> behind);
    }))).isInstanceOfSatisfying(ApiError.class, e -> {
      assertThat(e.status()).isEqualTo(GrpcStatus.ALREADY_EXISTS);
      assertThat(e.getMessage()).contains("(id)=(1)");
    });
    assertThat(count("SELECT count(*) FROM write_probe")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM changes WHERE resource_id = '" + resource + "'")).isZero();
  }

  @Test
  @DisplayName("a work that swallows a failed statement does not commit what came before it")
  void swallowedFailureRollsBack() throws Exception {
    assertThatThrownBy(() -> await(pg.store.write(tx -> {
      Future<?> kept = tx.query("INSERT INTO write_probe VALUES (5, 'before')");
      Future<?> failed = tx.query("SELECT 1 / 0");
      return kept.compose(v -> failed).recover(err -> Future.succeededFuture()).map(v -> 1);
    }))).isNotNull();
    assertThat(count("SELECT count(*) FROM write_probe")).isZero();
  }

  @Test
  @DisplayName("a work that refuses after its statements succeeded rolls them back and its refusal is the error")
  void refusalAfterStatementsRollsBack() throws Exception {
    assertThatThrownBy(() -> await(pg.store.write(tx -> {
      Future<?> a = tx.query("INSERT INTO write_probe VALUES (11, 'made')");
      Future<?> b = tx.query("INSERT INTO write_probe VALUES (12, 'made')");
      return Future.all(a, b).map(v -> {
        throw ApiError.exhausted("refused after the inserts");
      });
    }))).isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED));
    assertThat(count("SELECT count(*) FROM write_probe")).isZero();
  }

  @Test
  @DisplayName("a work that throws before its first statement ends its transaction and gives its connection back")
  void throwingWorkGivesTheConnectionBack() throws Exception {
    // More writes than the pool has connections: a connection kept by a failed write would stall the last ones.
    for (int i = 0; i < 40; i++) {
      assertThatThrownBy(() -> await(pg.store.write(tx -> {
        throw new IllegalStateException("refused before any statement");
      }))).hasMessageContaining("refused before any statement");
    }
    await(pg.store.write(tx -> tx.query("INSERT INTO write_probe VALUES (7, 'after')")));
    assertThat(count("SELECT count(*) FROM write_probe")).isEqualTo(1);
  }

  @Test
  @DisplayName("a snapshot read sees one snapshot and cannot write")
  void snapshotIsReadOnly() throws Exception {
    await(pg.db.pool().query("INSERT INTO write_probe VALUES (9, 'x')").execute());
    long seen = await(pg.store.snapshot(tx -> tx.one("SELECT count(*) FROM write_probe").map(r -> r.get().getLong(0))));
    assertThat(seen).isEqualTo(1);
    assertThatThrownBy(() -> await(pg.store.snapshot(tx -> tx.query("INSERT INTO write_probe VALUES (10, 'y')"))))
        .hasMessageContaining("read-only");
    assertThat(count("SELECT count(*) FROM write_probe")).isEqualTo(1);
  }

  private static long count(String sql) throws Exception {
    return await(pg.db.pool().query(sql).execute()).iterator().next().getLong(0);
  }
}
