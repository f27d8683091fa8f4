package io.dvr.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Which routers an agent (re)start concerns: its own, and on a dvr_snat host the SNATs nobody live holds")
class SchedulerStoreTest {
  @TempDir static Path dataDir;
  static Vertx vertx;
  static Database db;
  static Store store;
  static final SchedulerStore scheduler = new SchedulerStore(new PortStore(), 75);
  static final UUID EXT = UUID.randomUUID();
  /** SNAT on network (alive), on gone (dead), and unbound. */
  static final UUID HELD = UUID.randomUUID();
  static final UUID ORPHANED = UUID.randomUUID();
  static final UUID UNBOUND = UUID.randomUUID();
  /** No gateway; bound to compute1. */
  static final UUID INTERNAL = UUID.randomUUID();

  @BeforeAll
  static void open() throws Exception {
    vertx = Vertx.vertx();
    db = await(Database.open(vertx, Settings.of(Map.of("db.data-dir", dataDir.resolve("pg").toString()))));
    store = new Store(db.pool());
    await(store.write(tx -> tx.query("INSERT INTO networks(id, name, router_external) VALUES ($1, 'ext', true)", EXT)
        .compose(v -> tx.query("INSERT INTO routers(id, name, gw_network_id) VALUES ($1, 'held', $4), ($2, 'orphaned', $4),"
            + " ($3, 'unbound', $4)", HELD, ORPHANED, UNBOUND, EXT))
        .compose(v -> tx.query("INSERT INTO routers(id, name) VALUES ($1, 'internal')", INTERNAL))
        .compose(v -> tx.query("INSERT INTO agents(id, host, agent_type, agent_mode, last_heartbeat) VALUES"
            + " (gen_random_uuid(), 'network', 'L3 agent', 'dvr_snat', now()),"
            + " (gen_random_uuid(), 'spare', 'L3 agent', 'dvr_snat', now()),"
            + " (gen_random_uuid(), 'gone', 'L3 agent', 'dvr_snat', now() - interval '1 hour'),"
            + " (gen_random_uuid(), 'compute1', 'L3 agent', 'dvr', now())"))
        .compose(v -> tx.query("INSERT INTO router_snat_bindings(router_id, host) VALUES ($1, 'network'), ($2, 'gone')",
            HELD, ORPHANED))
        .compose(v -> tx.query("INSERT INTO router_host_bindings(router_id, host) VALUES ($1, 'compute1')", INTERNAL))));
  }

  @AfterAll
  static void close() throws Exception {
    db.close();
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  static List<UUID> concerning(String host) throws Exception {
    return await(store.read(tx -> scheduler.routersConcerning(tx, host)));
  }

  @Test
  @DisplayName("a compute host: only the routers bound to it, none of the gateway routers")
  void computeHost() throws Exception {
    assertThat(concerning("compute1")).containsExactly(INTERNAL);
  }

  @Test
  @DisplayName("a dvr_snat host: the SNATs it holds, and those held by a dead host or by none; not those a live host holds")
  void snatHosts() throws Exception {
    assertThat(concerning("network")).containsExactlyInAnyOrder(HELD, ORPHANED, UNBOUND);
    assertThat(concerning("spare")).containsExactlyInAnyOrder(ORPHANED, UNBOUND);
  }
}
