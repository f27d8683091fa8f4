package io.dvr.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.common.ServiceResources;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.security.HostCredentials;
import io.dvr.common.security.HostProofs;
import io.dvr.proto.v1.RoutersChanged;
import io.dvr.proto.v1.SnatLeaseGrant;
import io.dvr.proto.v1.SnatLeaseRenewal;
import io.dvr.scheduler.store.SchedulerStore;
import io.dvr.scheduler.store.SnatLeases;
import io.dvr.store.EmbeddedStore;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease over the event bus: the test plays two dvr_snat agents, renewing with their hosts'
 * proofs as HA-DP's agents do; the active one stops renewing (a crash) and the standby is made
 * active and told, without waiting for the agent down time.
 */
@DisplayName("SNAT lease service: renewals need the host's proof; an active that stops renewing loses its routers to the standby")
class SnatLeaseServiceTest {
  @TempDir static Path dataDir;
  static EmbeddedStore embedded;
  static Store store;
  static final HostCredentials CREDENTIALS = HostCredentials.fromSecret(
      "a test secret of the host credentials".getBytes(StandardCharsets.US_ASCII));
  static ServiceResources held;
  static SnatLeaseService service;

  @BeforeAll
  static void start() throws Exception {
    embedded = EmbeddedStore.open(dataDir.resolve("pg"));
    store = embedded.store;
    held = new ServiceResources(embedded.vertx);
    service = new SnatLeaseService(embedded.vertx, store, new SnatLeases(300, 100), held);
    service.start(CREDENTIALS, 50);
  }

  @AfterAll
  static void stop() throws Exception {
    EmbeddedStore.await(held.stop());
    embedded.close();
  }

  static Future<SnatLeaseGrant> renew(String host, String provenAs, UUID... active) {
    SnatLeaseRenewal renewal = SnatLeaseRenewal.newBuilder().setHost(host)
        .addAllActiveRouterIds(java.util.Arrays.stream(active).map(UUID::toString).toList()).build();
    HostProofs.Sender sender = provenAs == null ? HostProofs.Sender.NONE
        : HostProofs.sender(provenAs, CREDENTIALS.keyOf(provenAs), Clock.systemUTC());
    return Bus.request(embedded.vertx, EventAddresses.SNAT_LEASE, renewal, SnatLeaseGrant.parser(), 5000,
        sender.options(renewal));
  }

  @Test
  @DisplayName("a renewal without the host's proof, or with another host's, is PERMISSION_DENIED and records no lease")
  void renewalNeedsTheHostsProof() throws Exception {
    assertThatThrownBy(() -> EmbeddedStore.await(renew("net-x", null)))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(GrpcStatus.PERMISSION_DENIED));
    assertThatThrownBy(() -> EmbeddedStore.await(renew("net-x", "net-y")))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(GrpcStatus.PERMISSION_DENIED));
    java.util.Optional<io.vertx.sqlclient.Row> lease = EmbeddedStore.await(store.read(tx -> tx.one(
        "SELECT 1 FROM snat_leases WHERE host = 'net-x'")));
    assertThat(lease).isEmpty();
    assertThat(EmbeddedStore.await(renew("net-x", "net-x")).getHoldMillis()).isEqualTo(300);
  }

  @Test
  @DisplayName("the active host stops renewing: once its lease lapsed the renewing standby is active (epoch 2) and both hosts are told")
  void activeStopsRenewing() throws Exception {
    UUID ext = UUID.randomUUID();
    UUID router = UUID.randomUUID();
    EmbeddedStore.await(store.write(tx -> tx.query("INSERT INTO networks(id, name, router_external) VALUES ($1, 'ext', true)", ext)
        .compose(v -> tx.query("INSERT INTO routers(id, name, gw_network_id, ha) VALUES ($1, 'r', $2, true)", router, ext))
        .compose(v -> tx.query("INSERT INTO agents(id, host, agent_type, agent_mode, admin_state_up, last_heartbeat) VALUES"
            + " (gen_random_uuid(), 'net-a', 'L3 agent', 'dvr_snat', true, now()),"
            + " (gen_random_uuid(), 'net-b', 'L3 agent', 'dvr_snat', true, now())"))));
    EmbeddedStore.await(store.write(tx -> new SchedulerStore(75, Instant.EPOCH, 2).reschedule(tx, router)));
    List<String> told = new CopyOnWriteArrayList<>();
    for (String host : List.of("net-a", "net-b")) {
      held.consumer(Bus.listen(embedded.vertx, EventAddresses.routersChanged(host), RoutersChanged.parser(),
          m -> told.add(m.getHost() + " " + m.getRouterIds(0))));
    }
    EmbeddedStore.await(renew("net-a", "net-a", router));
    // net-b renews every 100 ms as its agent would; net-a has crashed after its one renewal.
    long timer = embedded.vertx.setPeriodic(0, 100, id -> renew("net-b", "net-b"));
    try {
      waitFor(() -> told.contains("net-a " + router) && told.contains("net-b " + router));
    } finally {
      embedded.vertx.cancelTimer(timer);
    }
    assertThat(EmbeddedStore.await(store.read(tx -> tx.all("SELECT host, ha_state, ha_epoch FROM router_snat_bindings"
        + " WHERE router_id = $1 ORDER BY host", router))).stream()
        .map(r -> r.getString("host") + " " + r.getString("ha_state") + " " + r.getLong("ha_epoch")).toList())
        .containsExactly("net-a standby 2", "net-b active 2");
    assertThat(service.failovers()).isEqualTo(1);
  }

  @Test
  @DisplayName("a renewal that lists other active routers than the host's last one is a claim: the drains are checked at once")
  void claimsCheckDrainsAtOnce() throws Exception {
    java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
    service.onClaimsChanged(checks::incrementAndGet);
    try {
      UUID router = UUID.randomUUID();
      EmbeddedStore.await(renew("net-c", "net-c"));
      assertThat(checks.get()).as("the host's first renewal").isEqualTo(1);
      EmbeddedStore.await(renew("net-c", "net-c"));
      assertThat(checks.get()).as("the same (no) routers again").isEqualTo(1);
      EmbeddedStore.await(renew("net-c", "net-c", router));
      assertThat(checks.get()).as("a router claimed").isEqualTo(2);
      EmbeddedStore.await(renew("net-c", "net-c", router));
      assertThat(checks.get()).as("the same claim again").isEqualTo(2);
    } finally {
      service.onClaimsChanged(() -> {});
    }
  }

  static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition met within 20 s").isLessThan(limit);
      Thread.sleep(20);
    }
  }
}
