package io.dvr.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.common.grpc.ApiError;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Drains and hand placement: the new active claims before the old one lets go; bounded by snat.drain-timeout-ms")
class SnatDrainsTest extends HaFixture {
  static final SchedulerStore scheduler = new SchedulerStore(75, Instant.EPOCH, 2);
  static final SnatLeases leases = new SnatLeases(600_000, 0);
  static final SnatDrains drains = new SnatDrains(60_000);
  static final SnatPlacement placement = new SnatPlacement();

  static void renew(String host, UUID... active) throws Exception {
    await(store.write(tx -> leases.renew(tx, host, List.of(active))));
  }

  static Optional<SnatDrains.Move> start(SnatDrains with, UUID r) throws Exception {
    return await(store.write(tx -> with.start(tx, r)));
  }

  static Optional<String> finish(UUID r) throws Exception {
    return await(store.write(tx -> drains.finish(tx, r)));
  }

  static List<UUID> lapsed() throws Exception {
    return await(store.read(tx -> new SnatLeases(300, 100).lapsed(tx)));
  }

  static List<SnatDrains.Due> due(SnatDrains with) throws Exception {
    return await(store.read(with::due));
  }

  UUID haRouterOnAB() throws Exception {
    snatHosts("net-a", "net-b");
    UUID r = router(true);
    reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "active", "net-b", "standby"));
    return r;
  }

  @Test
  @DisplayName("admin-down active: the leased standby becomes active while the old one keeps its addresses; the old binding goes only after the new host's renewal lists the router")
  void drainSequence() throws Exception {
    UUID r = haRouterOnAB();
    renew("net-a", r);
    // A renewal listing the router before the drain began (a stale one) does not count as the new host's claim.
    renew("net-b", r);
    assertThat(due(drains)).isEmpty();
    adminDown("net-a");
    reschedule(scheduler, r);
    assertThat(roles(r)).as("the reschedule leaves the active to the drain").isEqualTo(Map.of("net-a", "active", "net-b", "standby"));
    assertThat(due(drains)).containsExactly(new SnatDrains.Due(r, SnatDrains.Step.START));

    assertThat(HaElectionTest.view("net-a", r).getHaActiveHost()).as("before the drain").isEqualTo("net-a");
    assertThat(HaElectionTest.view("net-b", r).getHaActiveHost()).as("the standby's view").isEqualTo("net-a");
    assertThat(start(drains, r)).contains(new SnatDrains.Move(r, "net-a", "net-b"));
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "active(draining)", "net-b", "active"));
    // The draining host learns where it will hand over to: the new active, not itself.
    assertThat(HaElectionTest.view("net-a", r).getHaActiveHost()).isEqualTo("net-b");
    assertThat(HaElectionTest.view("net-b", r).getHaActiveHost()).isEqualTo("net-b");
    assertThat(epoch(r)).isEqualTo(2);
    assertThat(start(drains, r)).as("started once").isEmpty();
    assertThat(due(drains)).as("net-b has not claimed yet").isEmpty();
    assertThat(finish(r)).isEmpty();
    assertThat(roles(r)).containsEntry("net-a", "active(draining)");

    renew("net-b", r);
    assertThat(due(drains)).containsExactly(new SnatDrains.Due(r, SnatDrains.Step.FINISH));
    assertThat(finish(r)).contains("net-a");
    assertThat(roles(r)).isEqualTo(Map.of("net-b", "active"));
    assertThat(lapsed()).isEmpty();
  }

  @Test
  @DisplayName("the new host does not claim within the drain timeout: the move is undone, the old host the only active again (epoch+1)")
  void drainTimeout() throws Exception {
    SnatDrains quick = new SnatDrains(300);
    UUID r = haRouterOnAB();
    renew("net-a", r);
    renew("net-b");
    adminDown("net-a");
    assertThat(start(quick, r)).isPresent();
    Instant began = await(store.read(tx -> tx.one("SELECT draining_since FROM router_snat_bindings WHERE host = 'net-a'")))
        .orElseThrow().getOffsetDateTime("draining_since").toInstant();
    Optional<SnatDrains.Move> undone = Optional.empty();
    long limit = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (undone.isEmpty() && System.nanoTime() < limit) {
      renew("net-b");
      if (due(quick).contains(new SnatDrains.Due(r, SnatDrains.Step.ABORT))) {
        undone = await(store.write(tx -> quick.abort(tx, r)));
      }
    }
    assertThat(undone).contains(new SnatDrains.Move(r, "net-b", "net-a"));
    Instant now = await(store.read(SchedulerStore::databaseNow));
    assertThat(Duration.between(began, now)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "active", "net-b", "standby"));
    assertThat(epoch(r)).isEqualTo(3);
  }

  @Test
  @DisplayName("an undone drain is held back in the database for another timeout: no scheduler instance starts it again before, any may after")
  void undoneDrainHeldBack() throws Exception {
    SnatDrains quick = new SnatDrains(300);
    UUID r = haRouterOnAB();
    renew("net-a", r);
    renew("net-b");
    adminDown("net-a");
    assertThat(start(quick, r)).isPresent();
    await(store.write(tx -> tx.query("UPDATE router_snat_bindings SET draining_since = now() - interval '1 second'"
        + " WHERE router_id = $1 AND host = 'net-a'", r)));
    Optional<SnatDrains.Move> undone = await(store.write(tx -> quick.abort(tx, r)));
    assertThat(undone).contains(new SnatDrains.Move(r, "net-b", "net-a"));

    // Another instance (its own SnatDrains, a long timeout) sees the hold written by the one that undid it.
    SnatDrains other = new SnatDrains(60_000);
    assertThat(due(other)).as("held back").isEmpty();
    assertThat(start(other, r)).as("held back").isEmpty();
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "active", "net-b", "standby"));

    // The hold over (as if the timeout had passed): due again, and started.
    await(store.write(tx -> tx.query("UPDATE router_snat_bindings SET drain_held_until = now() - interval '1 millisecond'"
        + " WHERE router_id = $1", r)));
    assertThat(due(other)).containsExactly(new SnatDrains.Due(r, SnatDrains.Step.START));
    assertThat(start(other, r)).contains(new SnatDrains.Move(r, "net-a", "net-b"));
  }

  @Test
  @DisplayName("a draining host whose own lease expired has let go: its binding goes without waiting for the claim")
  void drainedHostLeaseExpired() throws Exception {
    UUID r = haRouterOnAB();
    renew("net-a", r);
    renew("net-b");
    adminDown("net-a");
    await(store.write(tx -> drains.start(tx, r)));
    await(store.write(tx -> tx.query("UPDATE snat_leases SET expires_at = now() - interval '1 second' WHERE host = 'net-a'")));
    assertThat(due(drains)).containsExactly(new SnatDrains.Due(r, SnatDrains.Step.FINISH));
    assertThat(finish(r)).contains("net-a");
  }

  @Test
  @DisplayName("no leased standby: the admin-down active stays active (nobody could claim)")
  void noLeasedStandby() throws Exception {
    UUID r = haRouterOnAB();
    renew("net-a", r);
    adminDown("net-a");
    assertThat(due(drains)).isEmpty();
    assertThat(start(drains, r)).isEmpty();
  }

  @Test
  @DisplayName("HA router by hand: add makes a standby; remove of a standby drops it for good; remove of the active drains it")
  void haByHand() throws Exception {
    UUID r = haRouterOnAB();
    snatHosts("net-c");
    await(store.write(tx -> placement.add(tx, r, "net-c")));
    reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "active", "net-b", "standby", "net-c", "standby"));

    await(store.write(tx -> placement.remove(tx, r, "net-b")));
    reschedule(scheduler, r);
    assertThat(roles(r)).as("not placed on net-b again").isEqualTo(Map.of("net-a", "active", "net-c", "standby"));

    renew("net-a", r);
    renew("net-c");
    await(store.write(tx -> placement.remove(tx, r, "net-a")));
    assertThat(roles(r)).as("the active is not dropped before a standby claims").containsEntry("net-a", "active");
    assertThat(due(drains)).containsExactly(new SnatDrains.Due(r, SnatDrains.Step.START));
    await(store.write(tx -> drains.start(tx, r)));
    renew("net-c", r);
    await(store.write(tx -> drains.finish(tx, r)));
    reschedule(scheduler, r);
    assertThat(roles(r)).as("net-a and net-b removed by hand; net-b back by hand")
        .isEqualTo(Map.of("net-c", "active"));
    await(store.write(tx -> placement.add(tx, r, "net-b")));
    reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-b", "standby", "net-c", "active"));
  }

  @Test
  @DisplayName("non-HA router by hand: add moves its one SNAT there; remove moves it elsewhere and not back")
  void singleByHand() throws Exception {
    snatHosts("net-a", "net-b");
    UUID r = router(false);
    reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "single"));
    await(store.write(tx -> placement.add(tx, r, "net-b")));
    SchedulerStore.Placement moved = reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-b", "single"));
    assertThat(moved.removed()).containsExactly("net-a");
    await(store.write(tx -> placement.remove(tx, r, "net-b")));
    reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "single"));
    reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "single"));
  }

  @Test
  @DisplayName("refusals: a host not carrying the SNAT, a router without gateway (FAILED_PRECONDITION), an unknown agent or router (NOT_FOUND)")
  void refusals() throws Exception {
    snatHosts("net-a", "net-b");
    UUID r = router(false);
    reschedule(scheduler, r);
    assertThatThrownBy(() -> await(store.write(tx -> placement.remove(tx, r, "net-b"))))
        .isInstanceOfSatisfying(ApiError.class, e -> {
          assertThat(e.status()).isEqualTo(GrpcStatus.FAILED_PRECONDITION);
          assertThat(e.getMessage()).contains("'" + r + "'", "'net-b'");
        });
    UUID noGateway = UUID.randomUUID();
    await(store.write(tx -> tx.query("INSERT INTO routers(id, name) VALUES ($1, 'n')", noGateway)));
    assertThatThrownBy(() -> await(store.write(tx -> placement.add(tx, noGateway, "net-a"))))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(GrpcStatus.FAILED_PRECONDITION));
    UUID unknown = UUID.randomUUID();
    assertThatThrownBy(() -> await(store.write(tx -> placement.add(tx, unknown, "net-a"))))
        .isInstanceOfSatisfying(ApiError.class, e -> {
          assertThat(e.status()).isEqualTo(GrpcStatus.NOT_FOUND);
          assertThat(e.getMessage()).contains(unknown.toString());
        });
    assertThatThrownBy(() -> await(store.read(tx -> placement.hostOf(tx, unknown))))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(GrpcStatus.NOT_FOUND));
  }
}
