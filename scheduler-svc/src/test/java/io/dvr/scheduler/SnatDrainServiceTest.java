package io.dvr.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.ServiceResources;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RoutersChanged;
import io.dvr.scheduler.store.SchedulerStore;
import io.dvr.scheduler.store.SnatLeases;
import io.dvr.store.EmbeddedStore;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drain service on a real PostgreSQL and the event bus: what each pass writes, whom it tells
 * (RoutersChanged on the hosts' addresses, sent by the lease service as in scheduler-svc) and
 * which routers it has rescheduled. The test plays the agents' renewals; leases are long, so
 * nothing lapses while a test runs.
 */
@DisplayName("SNAT drain service: a drain starts, ends on the new host's claim, is undone at its timeout and tried again only after another timeout")
class SnatDrainServiceTest {
  static final SnatLeases LEASES = new SnatLeases(600_000, 0);
  static final SchedulerStore SCHEDULER = new SchedulerStore(75, Instant.EPOCH, 2);
  @TempDir static Path dataDir;
  static EmbeddedStore embedded;
  static Store store;

  ServiceResources held;
  SnatLeaseService leases;
  /** "host router" per RoutersChanged received on net-a's and net-b's addresses. */
  final List<String> told = new CopyOnWriteArrayList<>();
  final List<UUID> rescheduled = new CopyOnWriteArrayList<>();
  UUID router;

  @BeforeAll
  static void open() throws Exception {
    embedded = EmbeddedStore.open(dataDir.resolve("pg"));
    store = embedded.store;
  }

  @AfterAll
  static void close() throws Exception {
    embedded.close();
  }

  /** An HA router active on net-a, standby on net-b; both hosts' agents renewing, net-a listing the router. */
  @BeforeEach
  void haRouterOnTwoHosts() throws Exception {
    await(store.write(tx -> tx.query("TRUNCATE agents, router_snat_bindings, router_snat_exclusions, snat_leases,"
        + " router_host_bindings, routers, networks CASCADE")));
    UUID ext = UUID.randomUUID();
    router = UUID.randomUUID();
    await(store.write(tx -> tx.query("INSERT INTO networks(id, name, router_external) VALUES ($1, 'ext', true)", ext)
        .compose(v -> tx.query("INSERT INTO routers(id, name, gw_network_id, ha) VALUES ($1, 'r', $2, true)", router, ext))
        .compose(v -> tx.query("INSERT INTO agents(id, host, agent_type, agent_mode, admin_state_up, last_heartbeat) VALUES"
            + " (gen_random_uuid(), 'net-a', 'L3 agent', 'dvr_snat', true, now()),"
            + " (gen_random_uuid(), 'net-b', 'L3 agent', 'dvr_snat', true, now())"))));
    await(store.write(tx -> SCHEDULER.reschedule(tx, router)));
    assertThat(roles()).isEqualTo(Map.of("net-a", "active", "net-b", "standby"));
    renew("net-a", router);
    renew("net-b");
    held = new ServiceResources(embedded.vertx);
    leases = new SnatLeaseService(embedded.vertx, store, LEASES, held);
    for (String host : List.of("net-a", "net-b")) {
      held.consumer(Bus.listen(embedded.vertx, EventAddresses.routersChanged(host), RoutersChanged.parser(),
          m -> told.add(m.getHost() + " " + m.getRouterIds(0))));
    }
  }

  @AfterEach
  void stop() throws Exception {
    await(held.stop());
  }

  SnatDrainService drains(long timeoutMillis) {
    return new SnatDrainService(store, timeoutMillis, held, leases::tell, rescheduled::add);
  }

  @Test
  @DisplayName("admin-down active: a pass makes the standby active and the old host draining and tells both; the new host's claim ends it: the old binding goes, its host is told, the router rescheduled")
  void drainStartsAndFinishes() throws Exception {
    SnatDrainService drains = drains(60_000);
    pass(drains);
    assertThat(roles()).as("nothing due while net-a is up").isEqualTo(Map.of("net-a", "active", "net-b", "standby"));
    adminDown("net-a");

    pass(drains);
    assertThat(roles()).isEqualTo(Map.of("net-a", "active(draining)", "net-b", "active"));
    // As l3-agent-list-hosting-router shows it (and a drained agent asks who took over): net-a draining.
    List<RouterHost> hosts = await(store.read(tx -> SCHEDULER.hostsOf(tx, router)));
    assertThat(hosts).filteredOn(RouterHost::getSnat)
        .extracting(h -> h.getHost() + " " + h.getHaState() + (h.getDraining() ? " draining" : ""))
        .containsExactlyInAnyOrder("net-a HA_STATE_ACTIVE draining", "net-b HA_STATE_ACTIVE");
    waitFor(() -> told.containsAll(List.of("net-a " + router, "net-b " + router)));
    assertThat(rescheduled).as("not before the new host claimed").isEmpty();

    // net-b renews without the router (its apply is not done): the drain waits.
    renew("net-b");
    pass(drains);
    assertThat(roles()).isEqualTo(Map.of("net-a", "active(draining)", "net-b", "active"));
    assertThat(rescheduled).isEmpty();

    told.clear();
    renew("net-b", router);
    pass(drains);
    assertThat(roles()).isEqualTo(Map.of("net-b", "active"));
    assertThat(rescheduled).containsExactly(router);
    waitFor(() -> told.contains("net-a " + router));
  }

  @Test
  @DisplayName("the new host does not claim within snat.drain-timeout-ms: the move is undone (old host the only active, both told), and the drain is not started again before another timeout has passed, then it is")
  void timeoutUndoesAndRetriesLater() throws Exception {
    long timeout = 2000;
    SnatDrainService drains = drains(timeout);
    adminDown("net-a");
    pass(drains);
    assertThat(roles()).isEqualTo(Map.of("net-a", "active(draining)", "net-b", "active"));
    told.clear();

    // net-b keeps renewing without ever listing the router: past the timeout a pass undoes the move.
    long epoch = epoch();
    waitForPass(drains, () -> roles().equals(Map.of("net-a", "active", "net-b", "standby")));
    assertThat(epoch()).as("the undo raises the epoch").isEqualTo(epoch + 1);
    waitFor(() -> told.containsAll(List.of("net-a " + router, "net-b " + router)));
    assertThat(rescheduled).isEmpty();

    // Still due (net-a is admin-down, net-b holds a lease), but held back for another timeout.
    pass(drains);
    assertThat(roles()).as("not drained again at once").isEqualTo(Map.of("net-a", "active", "net-b", "standby"));

    waitForPass(drains, () -> roles().equals(Map.of("net-a", "active(draining)", "net-b", "active")));
  }

  @Test
  @DisplayName("two scheduler instances: after one undid a drain at its timeout, the other does not start it again before another timeout either, then it does")
  void anotherInstanceWaitsToo() throws Exception {
    long timeout = 2000;
    SnatDrainService first = drains(timeout);
    SnatDrainService second = drains(timeout);
    adminDown("net-a");
    pass(first);
    assertThat(roles()).isEqualTo(Map.of("net-a", "active(draining)", "net-b", "active"));
    waitForPass(first, () -> roles().equals(Map.of("net-a", "active", "net-b", "standby")));

    pass(second);
    assertThat(roles()).as("the other instance holds back too").isEqualTo(Map.of("net-a", "active", "net-b", "standby"));

    waitForPass(second, () -> roles().equals(Map.of("net-a", "active(draining)", "net-b", "active")));
  }

  // ---- helpers ----

  /** One pass of the service on its event loop, as its timer runs it. */
  static void pass(SnatDrainService drains) throws Exception {
    Promise<Void> done = Promise.promise();
    embedded.vertx.runOnContext(v -> drains.check().onComplete(done));
    await(done.future());
  }

  /** Renews the host's lease as its agent would, listing the routers it holds active. */
  static void renew(String host, UUID... active) throws Exception {
    await(store.write(tx -> LEASES.renew(tx, host, List.of(active))));
  }

  static void adminDown(String host) throws Exception {
    await(store.write(tx -> tx.query("UPDATE agents SET admin_state_up = false WHERE host = $1", host)));
  }

  Map<String, String> roles() throws Exception {
    Map<String, String> roles = new TreeMap<>();
    await(store.read(tx -> tx.all("SELECT host, ha_state, draining_since IS NOT NULL AS draining"
        + " FROM router_snat_bindings WHERE router_id = $1", router)))
        .forEach(r -> roles.put(r.getString("host"), r.getString("ha_state") + (r.getBoolean("draining") ? "(draining)" : "")));
    return roles;
  }

  long epoch() throws Exception {
    return await(store.read(tx -> tx.one("SELECT max(ha_epoch) AS e FROM router_snat_bindings WHERE router_id = $1",
        router))).orElseThrow().getLong("e");
  }

  interface Check {
    boolean met() throws Exception;
  }

  /** Runs passes (net-b renewing without the router between them) until the condition holds, within 20 s. */
  static void waitForPass(SnatDrainService drains, Check condition) throws Exception {
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      renew("net-b");
      pass(drains);
      if (condition.met()) {
        return;
      }
      assertThat(System.nanoTime()).as("condition met within 20 s").isLessThan(limit);
      Thread.sleep(50);
    }
  }

  static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition met within 20 s").isLessThan(limit);
      Thread.sleep(20);
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return EmbeddedStore.await(f);
  }
}
