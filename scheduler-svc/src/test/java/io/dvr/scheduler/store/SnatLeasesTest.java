package io.dvr.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SNAT leases: a standby takes over only once the active's lease (hold + grace) has expired, and only one")
class SnatLeasesTest extends HaFixture {
  static final SchedulerStore scheduler = new SchedulerStore(75, Instant.EPOCH, 2);
  /** Short leases, as a failover test wants them. */
  static final SnatLeases shortLeases = new SnatLeases(300, 100);
  /** Leases that outlast any test. */
  static final SnatLeases longLeases = new SnatLeases(600_000, 0);

  static void renew(SnatLeases leases, String host, UUID... active) throws Exception {
    await(store.write(tx -> leases.renew(tx, host, List.of(active))));
  }

  static Optional<SnatLeases.Failover> failover(SnatLeases leases, UUID router) throws Exception {
    return await(store.write(tx -> leases.failover(tx, router)));
  }

  static List<UUID> lapsed() throws Exception {
    return await(store.read(shortLeases::lapsed));
  }

  UUID haRouterOnAB() throws Exception {
    snatHosts("net-a", "net-b");
    UUID r = router(true);
    reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "active", "net-b", "standby"));
    return r;
  }

  @Test
  @DisplayName("while the active's lease holds nothing moves, however many checks run")
  void noFailoverWhileTheLeaseHolds() throws Exception {
    UUID r = haRouterOnAB();
    renew(longLeases, "net-a", r);
    renew(longLeases, "net-b");
    for (int i = 0; i < 5; i++) {
      assertThat(lapsed()).isEmpty();
      assertThat(failover(shortLeases, r)).isEmpty();
    }
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "active", "net-b", "standby"));
    assertThat(epoch(r)).isEqualTo(1);
  }

  @Test
  @DisplayName("once hold + grace have passed since the active's last renewal (database time) the leased standby becomes active, epoch+1")
  void failoverAfterExpiryAndGrace() throws Exception {
    UUID r = haRouterOnAB();
    renew(shortLeases, "net-a", r);
    renew(longLeases, "net-b");
    Instant renewed = leaseTime("renewed_at", "net-a");
    Instant expires = leaseTime("expires_at", "net-a");
    assertThat(Duration.between(renewed, expires)).as("hold + grace").isEqualTo(Duration.ofMillis(400));

    // The checks run until the lease has lapsed; none may promote before.
    Optional<SnatLeases.Failover> done = Optional.empty();
    long limit = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (done.isEmpty() && System.nanoTime() < limit) {
      done = failover(shortLeases, r);
    }
    assertThat(done).as("a failover within the time limit").isPresent();
    SnatLeases.Failover f = done.get();
    assertThat(f.at()).as("promoted no earlier than the recorded expiry").isAfterOrEqualTo(expires);
    assertThat(f.from()).isEqualTo("net-a");
    assertThat(f.to()).isEqualTo("net-b");
    assertThat(f.epoch()).isEqualTo(2);
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "standby", "net-b", "active"));
    assertThat(epoch(r)).isEqualTo(2);
    assertThat(failover(shortLeases, r)).as("net-b holds its lease").isEmpty();
  }

  @Test
  @DisplayName("a standby whose own lease expired is not promoted; it is once it renews")
  void standbyWithoutLeaseStays() throws Exception {
    UUID r = haRouterOnAB();
    await(store.write(tx -> tx.query("INSERT INTO snat_leases(host, expires_at, renewed_at) VALUES"
        + " ('net-a', now() - interval '1 second', now() - interval '2 seconds'),"
        + " ('net-b', now() - interval '1 second', now() - interval '2 seconds')")));
    assertThat(lapsed()).isEmpty();
    assertThat(failover(shortLeases, r)).isEmpty();
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "active", "net-b", "standby"));

    renew(longLeases, "net-b");
    assertThat(lapsed()).containsExactly(r);
    assertThat(failover(shortLeases, r).map(SnatLeases.Failover::to)).contains("net-b");
  }

  @Test
  @DisplayName("two schedulers checking at once promote one host per router, never two")
  void concurrentPromotions() throws Exception {
    snatHosts("net-a", "net-b", "net-c");
    SchedulerStore threeHosts = new SchedulerStore(75, Instant.EPOCH, 3);
    List<UUID> routers = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      UUID r = router(true);
      reschedule(threeHosts, r);
      routers.add(r);
    }
    // Every active host's lease lapsed; both standbys of each router hold one.
    await(store.write(tx -> tx.query("INSERT INTO snat_leases(host, expires_at, renewed_at) SELECT host,"
        + " now() - interval '1 second', now() - interval '2 seconds' FROM agents")));
    SnatLeases one = new SnatLeases(300, 100);
    SnatLeases other = new SnatLeases(300, 100);
    for (UUID r : routers) {
      String active = active(r);
      await(store.write(tx -> tx.query("UPDATE snat_leases SET expires_at = now() + interval '10 minutes'"
          + " WHERE host <> $1", active)));
      List<Future<Optional<SnatLeases.Failover>>> both = List.of(store.write(tx -> one.failover(tx, r)),
          store.write(tx -> other.failover(tx, r)));
      await(Future.all(both));
      long promotions = both.stream().filter(f -> f.result().isPresent()).count();
      assertThat(promotions).as("router %s", r).isEqualTo(1);
      assertThat(roles(r).values()).as("router %s", r).containsOnlyOnce("active").hasSize(3);
      assertThat(active(r)).isNotEqualTo(active);
      await(store.write(tx -> tx.query("UPDATE snat_leases SET expires_at = now() - interval '1 second'")));
    }
  }

  @Test
  @DisplayName("a dead active is replaced by a reschedule only once its lease expired: while it holds one it stays bound and active")
  void deadActiveKeptWhileLeased() throws Exception {
    UUID r = haRouterOnAB();
    renew(longLeases, "net-a", r);
    kill("net-a");
    reschedule(scheduler, r);
    assertThat(roles(r)).as("its agent is dead but it may still hold the addresses")
        .isEqualTo(Map.of("net-a", "active", "net-b", "standby"));
    await(store.write(tx -> tx.query("UPDATE snat_leases SET expires_at = now() - interval '1 second' WHERE host = 'net-a'")));
    reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-b", "active"));
    assertThat(epoch(r)).isEqualTo(2);
  }

  static Instant leaseTime(String column, String host) throws Exception {
    return await(store.read(tx -> tx.one("SELECT " + column + " AS t FROM snat_leases WHERE host = $1", host)))
        .orElseThrow().getOffsetDateTime("t").toInstant();
  }
}
