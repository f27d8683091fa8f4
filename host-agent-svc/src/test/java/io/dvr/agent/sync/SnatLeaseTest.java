package io.dvr.agent.sync;

import static io.dvr.agent.sync.SyncTesting.on;
import static io.dvr.agent.sync.SyncTesting.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.sync.SyncTesting.Answers;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.SnatLeaseGrant;
import io.dvr.proto.v1.SnatLeaseRenewal;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The SNAT lease of a dvr_snat host on its own: the renewals it sends, when it holds the lease,
 * when it fences itself, and the roles it lets the host render. The control plane's grants are
 * given by hand; nothing waits for time except the lease's own end.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The SNAT lease: renewals name what the host holds, a grant holds from the renewal's send time, its end fences the host")
class SnatLeaseTest {
  static final long HOLD_MILLIS = 400;
  static final long RENEW_MILLIS = 50;

  private final Answers<SnatLeaseRenewal, SnatLeaseGrant> control = new Answers<>();
  /** The time limit of each renewal, in order. */
  private final BlockingQueue<Long> timeouts = new LinkedBlockingQueue<>();
  /** Each change between held and fenced, with the lease's state and the clock when it was told. */
  private final BlockingQueue<Change> changes = new LinkedBlockingQueue<>();
  private final AtomicReference<List<String>> active = new AtomicReference<>(List.of());
  /** When each full sync the lease asked for was asked. */
  private final BlockingQueue<Long> refetches = new LinkedBlockingQueue<>();
  private SyncContext ctx;
  private SnatLease lease;

  record Change(SnatLease.State state, long atNanos) {}

  @BeforeEach
  void setUp(Vertx vertx) {
    ctx = SyncTesting.context(vertx);
    lease = on(ctx, () -> new SnatLease(ctx, RENEW_MILLIS, (renewal, timeout) -> {
      timeouts.add(timeout);
      return control.apply(renewal);
    }, active::get,
        () -> changes.add(new Change(lease.state(), System.nanoTime())), () -> refetches.add(System.nanoTime()),
        System::nanoTime));
  }

  @AfterEach
  void tearDown() {
    run(ctx, lease::stop);
  }

  private Change nextChange() throws InterruptedException {
    Change c = changes.poll(SyncTesting.WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(c).as("a change of the lease within %d s", SyncTesting.WAIT_SECONDS).isNotNull();
    return c;
  }

  /** The full sync the lease asks for once granted, fetched (sent) now and taken. */
  private void freshViewTaken() throws InterruptedException {
    assertThat(refetches.poll(SyncTesting.WAIT_SECONDS, TimeUnit.SECONDS)).as("a full sync asked for").isNotNull();
    long sent = System.nanoTime();
    run(ctx, () -> lease.viewTaken(sent));
  }

  private static SnatLeaseGrant grant(long holdMillis) {
    return SnatLeaseGrant.newBuilder().setHoldMillis(holdMillis).build();
  }

  @Test
  @DisplayName("renewals go out at once and then every interval, naming the host and the HA routers it holds ACTIVE now")
  void renewalsCarryWhatIsHeld() {
    active.set(List.of("r1", "r2"));
    run(ctx, lease::start);
    SnatLeaseRenewal first = control.next().request();
    assertThat(first.getHost()).isEqualTo(SyncTesting.HOST);
    assertThat(first.getActiveRouterIdsList()).containsExactly("r1", "r2");
    active.set(List.of("r2"));
    // Renewals never wait for the one before: the next ones go out though the first is unanswered.
    SnatLeaseRenewal later;
    do {
      later = control.next().request();
    } while (later.getActiveRouterIdsCount() == 2);
    assertThat(later.getActiveRouterIdsList()).containsExactly("r2");
    assertThat(on(ctx, lease::held)).as("no grant yet").isFalse();
  }

  @Test
  @DisplayName("a change of what the host holds is renewed at once, not at the next interval: a drain waits for that claim")
  void claimsRenewedAtOnce() {
    SnatLease slow = on(ctx, () -> new SnatLease(ctx, 3_600_000, (renewal, timeout) -> control.apply(renewal), active::get,
        () -> {}, () -> {}, System::nanoTime));
    try {
      run(ctx, slow::start);
      assertThat(control.next().request().getActiveRouterIdsList()).as("the first renewal, at start").isEmpty();
      active.set(List.of("r1"));
      run(ctx, slow::claimsChanged);
      // The interval is an hour: only the change can have sent this one.
      assertThat(control.next().request().getActiveRouterIdsList()).containsExactly("r1");
    } finally {
      run(ctx, slow::stop);
    }
  }

  @Test
  @DisplayName("a grant holds until the renewal's send time plus hold_millis; with no newer grant the host is fenced at that instant, and a grant after gives the roles back")
  void fencedAtTheEndOfTheHold() throws InterruptedException {
    long beforeStart = System.nanoTime();
    run(ctx, lease::start);
    var first = control.next();
    long seenSent = System.nanoTime();
    // Answered late: the hold still counts from when the renewal was sent, not from the answer.
    first.reply().complete(grant(HOLD_MILLIS));
    freshViewTaken();
    Change held = nextChange();
    assertThat(held.state()).isInstanceOf(SnatLease.Held.class);
    long until = ((SnatLease.Held) held.state()).untilNanos();
    assertThat(until).isBetween(beforeStart + TimeUnit.MILLISECONDS.toNanos(HOLD_MILLIS),
        seenSent + TimeUnit.MILLISECONDS.toNanos(HOLD_MILLIS));
    assertThat(on(ctx, lease::held)).isTrue();
    // No other renewal is answered: the lease runs out.
    Change fenced = nextChange();
    assertThat(fenced.state()).isInstanceOf(SnatLease.Fenced.class);
    assertThat(fenced.atNanos()).as("not fenced before the hold's end").isGreaterThanOrEqualTo(until);
    assertThat(on(ctx, lease::held)).isFalse();
    // A renewal answered now holds the lease again, with a view fetched after it.
    control.next().reply().complete(grant(HOLD_MILLIS));
    freshViewTaken();
    assertThat(nextChange().state()).isInstanceOf(SnatLease.Held.class);
    assertThat(on(ctx, lease::held)).isTrue();
  }

  @Test
  @DisplayName("grants that keep coming keep the lease without a change; a refusal (no hold) holds nothing")
  void renewedLeaseStaysHeld() throws InterruptedException {
    run(ctx, lease::start);
    control.next().reply().complete(grant(0));
    control.next().reply().complete(grant(HOLD_MILLIS));
    freshViewTaken();
    assertThat(nextChange().state()).isInstanceOf(SnatLease.Held.class);
    for (int i = 0; i < 20; i++) { // well past one hold: 20 renewals at 50 ms
      control.next().reply().complete(grant(HOLD_MILLIS));
    }
    assertThat(changes).as("no fencing while grants come").isEmpty();
    assertThat(on(ctx, lease::held)).isTrue();
    assertThat(on(ctx, lease::grants)).isEqualTo(21);
    // Before the first grant a renewal waits the renew interval; after, the hold (a later grant would hold nothing).
    assertThat(timeouts.peek()).isEqualTo(RENEW_MILLIS);
    Long last = null;
    for (Long t : timeouts) {
      last = t;
    }
    assertThat(last).isEqualTo(HOLD_MILLIS);
  }

  @Test
  @DisplayName("a lease taken (again) claims nothing until a full view fetched after the grant is taken: the roles held may be stale")
  void rolesWaitForAFreshView() throws InterruptedException {
    run(ctx, lease::start);
    long beforeGrant = System.nanoTime();
    control.next().reply().complete(grant(60_000));
    assertThat(refetches.poll(SyncTesting.WAIT_SECONDS, TimeUnit.SECONDS)).as("a full sync asked for").isNotNull();
    assertThat(on(ctx, lease::state)).isInstanceOf(SnatLease.Confirming.class);
    assertThat(on(ctx, lease::held)).isFalse();
    run(ctx, () -> lease.viewTaken(beforeGrant)); // fetched before the grant: not trusted
    assertThat(on(ctx, lease::held)).isFalse();
    assertThat(changes).isEmpty();
    long now = System.nanoTime();
    run(ctx, () -> lease.viewTaken(now));
    assertThat(nextChange().state()).isInstanceOf(SnatLease.Held.class);
    assertThat(on(ctx, lease::held)).isTrue();
  }

  static RouterInfo ha(String id, HaState role) {
    return RouterInfo.newBuilder().setRouterId(id).setHa(true).setSnatHere(true).setHaState(role).build();
  }

  @Test
  @DisplayName("without the lease every ACTIVE role of an HA router renders STANDBY; routers without HA and standbys are left as they are")
  void fencedRoles() {
    RouterInfo plain = RouterInfo.newBuilder().setRouterId("r0").setSnatHere(true).build();
    HostRouters view = HostRouters.newBuilder().addRouters(plain).addRouters(ha("r1", HaState.HA_STATE_ACTIVE))
        .addRouters(ha("r2", HaState.HA_STATE_STANDBY)).build();
    HostRouters fenced = on(ctx, () -> lease.roles(view));
    assertThat(fenced.getRoutersList()).containsExactly(plain, ha("r1", HaState.HA_STATE_STANDBY),
        ha("r2", HaState.HA_STATE_STANDBY));
    assertThat(SnatLease.activeRouters(view)).containsExactly("r1");
    assertThat(SnatLease.activeRouters(fenced)).isEmpty();
    HostRouters nothingActive = HostRouters.newBuilder().addRouters(plain).build();
    assertThat(SnatLease.fenced(nothingActive)).isSameAs(nothingActive);
  }
}
