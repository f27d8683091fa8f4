package io.dvr.scheduler.store;

import io.dvr.store.EmbeddedStore;
import io.dvr.store.Store;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real PostgreSQL with dvr_snat agents and HA routers, as the HA SNAT tests need them. */
abstract class HaFixture {
  @TempDir static Path dataDir;
  static EmbeddedStore embedded;
  static Store store;
  UUID ext;

  @BeforeAll
  static void open() throws Exception {
    embedded = EmbeddedStore.open(dataDir.resolve("pg"));
    store = embedded.store;
  }

  @AfterAll
  static void close() throws Exception {
    embedded.close();
  }

  @BeforeEach
  void emptyDatabase() throws Exception {
    await(store.write(tx -> tx.query("TRUNCATE agents, router_snat_bindings, router_snat_exclusions, snat_leases,"
        + " router_host_bindings, routers, networks CASCADE")));
    ext = UUID.randomUUID();
    await(store.write(tx -> tx.query("INSERT INTO networks(id, name, router_external) VALUES ($1, 'ext', true)", ext)));
  }

  static <T> T await(Future<T> f) throws Exception {
    return EmbeddedStore.await(f);
  }

  /** An L3 agent: alive unless {@code dead}, admin up unless {@code adminDown}. */
  static void agent(String host, String mode, boolean dead, boolean adminDown) throws Exception {
    await(store.write(tx -> tx.query("INSERT INTO agents(id, host, agent_type, agent_mode, admin_state_up, last_heartbeat)"
        + " VALUES (gen_random_uuid(), $1, 'L3 agent', $2, $3, now() - ($4 || ' seconds')::interval)",
        host, mode, !adminDown, dead ? "3600" : "0")));
  }

  static void snatHosts(String... hosts) throws Exception {
    for (String host : hosts) {
      agent(host, "dvr_snat", false, false);
    }
  }

  static void kill(String host) throws Exception {
    await(store.write(tx -> tx.query("UPDATE agents SET last_heartbeat = now() - interval '1 hour' WHERE host = $1", host)));
  }

  static void adminDown(String host) throws Exception {
    await(store.write(tx -> tx.query("UPDATE agents SET admin_state_up = false WHERE host = $1", host)));
  }

  /** A router with a gateway; HA when {@code ha}. */
  UUID router(boolean ha) throws Exception {
    UUID id = UUID.randomUUID();
    await(store.write(tx -> tx.query("INSERT INTO routers(id, name, gw_network_id, ha) VALUES ($1, 'r', $2, $3)",
        id, ext, ha)));
    return id;
  }

  static SchedulerStore.Placement reschedule(SchedulerStore scheduler, UUID router) throws Exception {
    return await(store.write(tx -> scheduler.reschedule(tx, router)));
  }

  /** The router's SNAT hosts and their roles: "active", "standby", "active(draining)" or "single" (non-HA). */
  static Map<String, String> roles(UUID router) throws Exception {
    Map<String, String> roles = new TreeMap<>();
    await(store.read(tx -> tx.all("SELECT host, ha_state, draining_since IS NOT NULL AS draining"
        + " FROM router_snat_bindings WHERE router_id = $1", router)))
        .forEach(r -> roles.put(r.getString("host"), r.getString("ha_state") == null ? "single"
            : r.getString("ha_state") + (r.getBoolean("draining") ? "(draining)" : "")));
    return roles;
  }

  static String active(UUID router) throws Exception {
    return roles(router).entrySet().stream().filter(e -> e.getValue().equals("active")).map(Map.Entry::getKey)
        .findFirst().orElse(null);
  }

  static long epoch(UUID router) throws Exception {
    return await(store.read(tx -> tx.one("SELECT coalesce(max(ha_epoch), 0) AS e FROM router_snat_bindings"
        + " WHERE router_id = $1", router))).orElseThrow().getLong("e");
  }
}
