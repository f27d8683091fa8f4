package io.dvr.agent.sync;

import static io.dvr.agent.sync.SyncTesting.HOST;
import static io.dvr.agent.sync.SyncTesting.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.sync.SyncTesting.Answers;
import io.dvr.agent.sync.SyncTesting.StandInDataplane;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.dvr.proto.v1.AppliedRouter;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.HostApplied;
import io.dvr.proto.v1.HostAppliedAck;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.PortsWired;
import io.dvr.proto.v1.PortsWiredAck;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RoutersChanged;
import io.dvr.proto.v1.SnatLeaseGrant;
import io.dvr.proto.v1.SnatLeaseRenewal;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A dvr_snat host's whole sync on a local event bus with its SNAT lease: the roles it applies and
 * reports as the lease is granted, renewed and lost.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("A dvr_snat agent claims an HA router only while its SNAT lease is held, and reports the role it applied")
class SnatLeaseSyncTest {
  static final String MAC = "fa:16:3f:00:00:01";

  private final Answers<AllocateDvrMacRequest, DvrHostMac> allocator = new Answers<>();
  private final Answers<GetHostRoutersRequest, HostRouters> scheduler = new Answers<>();
  private final Answers<SnatLeaseRenewal, SnatLeaseGrant> leases = new Answers<>();
  private final Answers<ListHostsForRouterRequest, ListHostsForRouterResponse> placements = new Answers<>();
  private final StandInDataplane dataplane = new StandInDataplane();
  private final java.util.concurrent.BlockingQueue<HostApplied> reports = new java.util.concurrent.LinkedBlockingQueue<>();
  private RouterSync sync;

  @BeforeEach
  void setUp(Vertx vertx) {
    Bus.serve(vertx, EventAddresses.ALLOCATE_DVR_MAC, AllocateDvrMacRequest.parser(), allocator);
    Bus.serve(vertx, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest.parser(), scheduler);
    Bus.serve(vertx, EventAddresses.SNAT_LEASE, SnatLeaseRenewal.parser(), leases);
    Bus.serve(vertx, EventAddresses.LIST_HOSTS_FOR_ROUTER, ListHostsForRouterRequest.parser(), placements);
    Bus.serve(vertx, EventAddresses.PORTS_WIRED, PortsWired.parser(),
        r -> io.vertx.core.Future.succeededFuture(PortsWiredAck.getDefaultInstance()));
    Bus.serve(vertx, EventAddresses.HOST_APPLIED, HostApplied.parser(), r -> {
      reports.add(r);
      return io.vertx.core.Future.succeededFuture(HostAppliedAck.getDefaultInstance());
    });
    sync = new RouterSync(vertx, HOST, "dvr_snat", dataplane, new RouterSync.Timings(5_000, 5, 5, 5, Backoff.of(5, 50), 50, RouterSync.Timings.SNAT_HANDOVER_MILLIS));
  }

  @AfterEach
  void tearDown() {
    await(sync.stop());
  }

  static RouterInfo haRouter(HaState role) {
    return RouterInfo.newBuilder().setRouterId("r1").setDistributed(true).setAdminStateUp(true).setSnatHere(true)
        .setHa(true).setHaState(role).setHaEpoch(1).build();
  }

  static HaState role(HostRouters applied) {
    return applied.getRouters(0).getHaState();
  }

  /** The next report whose r1 says this role (reports of applies before it may still come). */
  private AppliedRouter reportedRole(HaState role) throws InterruptedException {
    while (true) {
      HostApplied report = reports.poll(SyncTesting.WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(report).as("a report of r1 %s", role).isNotNull();
      if (report.getRoutersCount() == 1 && report.getRouters(0).getHaState() == role) {
        return report.getRouters(0);
      }
    }
  }

  /** The next apply whose r1 has this role; applies with the other role before it must not be there. */
  private HostRouters nextApplyOf(HaState role) {
    HostRouters applied = dataplane.nextApply();
    while (role(applied) != role) {
      applied = dataplane.nextApply();
    }
    return applied;
  }

  /** Answers every renewal with a grant while {@code granting} (on its own thread). */
  private Thread grant(AtomicBoolean granting) {
    Thread grants = new Thread(() -> {
      while (granting.get()) {
        var call = leases.next();
        if (granting.get()) {
          call.reply().complete(SnatLeaseGrant.newBuilder().setHoldMillis(300).build());
        }
      }
    }, "control-plane-grants");
    grants.setDaemon(true);
    grants.start();
    return grants;
  }

  private static HostRouters view(HaState role) {
    return HostRouters.newBuilder().setHost(HOST).setAgentMode("dvr_snat").addRouters(haRouter(role)).build();
  }

  @Test
  @DisplayName("STANDBY until the first grant; ACTIVE once granted and a view fetched after the grant is taken, then named in the renewals; STANDBY when the grants stop; granted again, it claims only what a fresh view says")
  void rolesFollowTheLease() throws InterruptedException {
    sync.start(600_000);
    allocator.next().reply().complete(DvrHostMac.newBuilder().setHost(HOST).setMacAddress(MAC).build());
    scheduler.next().reply().complete(view(HaState.HA_STATE_ACTIVE));
    assertThat(role(dataplane.nextApply())).as("no lease yet: the scheduler's ACTIVE is applied as STANDBY")
        .isEqualTo(HaState.HA_STATE_STANDBY);
    assertThat(reportedRole(HaState.HA_STATE_STANDBY).getSnatHere()).isTrue();
    SnatLeaseRenewal first = leases.next().request();
    assertThat(first.getHost()).isEqualTo(HOST);
    assertThat(first.getActiveRouterIdsList()).as("nothing claimed yet").isEmpty();

    // Granted: a full sync first, then r1 is applied ACTIVE and every renewal after the apply names it.
    AtomicBoolean granting = new AtomicBoolean(true);
    Thread grants = grant(granting);
    var refetch = scheduler.next();
    assertThat(refetch.request().getRouterIdsList()).as("a full sync").isEmpty();
    assertThat(dataplane.noApply()).as("nothing claimed before the fresh view").isTrue();
    refetch.reply().complete(view(HaState.HA_STATE_ACTIVE));
    assertThat(role(dataplane.nextApply())).isEqualTo(HaState.HA_STATE_ACTIVE);
    assertThat(reportedRole(HaState.HA_STATE_ACTIVE).getSnatHere()).isTrue();

    // The grants stop: at the hold's end r1 is given up at once, without any message from the control plane.
    granting.set(false);
    grants.join(20_000);
    HostRouters fenced = nextApplyOf(HaState.HA_STATE_STANDBY);
    assertThat(fenced.getRoutersList()).hasSize(1);
    reportedRole(HaState.HA_STATE_STANDBY);

    // Granted again: the view held (ACTIVE) is not trusted; the fresh one says STANDBY (another host was promoted).
    AtomicBoolean again = new AtomicBoolean(true);
    Thread regrants = grant(again);
    var second = scheduler.next();
    assertThat(second.request().getRouterIdsList()).isEmpty();
    second.reply().complete(view(HaState.HA_STATE_STANDBY));
    assertThat(role(dataplane.nextApply())).isEqualTo(HaState.HA_STATE_STANDBY);
    await(sync.settled());
    while (!dataplane.noApply()) {
      assertThat(role(dataplane.nextApply())).as("never ACTIVE on the stale view").isEqualTo(HaState.HA_STATE_STANDBY);
    }
    again.set(false);
    regrants.join(20_000);
  }

  /** The view of r1 as the control plane sends it: the role here and the host active now. */
  private static HostRouters view(HaState role, String activeHost) {
    return HostRouters.newBuilder().setHost(HOST).setAgentMode("dvr_snat")
        .addRouters(haRouter(role).toBuilder().setHaActiveHost(activeHost)).build();
  }

  private static HostRouters noRouters() {
    return HostRouters.newBuilder().setHost(HOST).setAgentMode("dvr_snat").build();
  }

  /** r1 changed: the sync fetches it, and gets this view. */
  private void changed(Vertx vertx, HostRouters reply) {
    Bus.send(vertx, EventAddresses.routersChanged(HOST), RoutersChanged.newBuilder().setHost(HOST).addRouterIds("r1").build());
    scheduler.next().reply().complete(reply);
  }

  /** Granted, and r1 applied ACTIVE from a fresh view that names this host active. */
  private Thread activeWithLease(AtomicBoolean granting) {
    sync.start(600_000);
    allocator.next().reply().complete(DvrHostMac.newBuilder().setHost(HOST).setMacAddress(MAC).build());
    scheduler.next().reply().complete(view(HaState.HA_STATE_ACTIVE, HOST));
    Thread grants = grant(granting);
    scheduler.next().reply().complete(view(HaState.HA_STATE_ACTIVE, HOST));
    nextApplyOf(HaState.HA_STATE_ACTIVE);
    return grants;
  }

  /** Applies until one satisfies {@code done} (returned); each one before it must satisfy {@code meanwhile}. */
  private HostRouters applyUntil(java.util.function.Predicate<HostRouters> done,
      java.util.function.Predicate<HostRouters> meanwhile, String what) {
    HostRouters applied = dataplane.nextApply();
    while (!done.test(applied)) {
      assertThat(meanwhile.test(applied)).as("before %s: %s", what, applied).isTrue();
      applied = dataplane.nextApply();
    }
    return applied;
  }

  private static boolean heldActive(HostRouters h) {
    return h.getRoutersCount() == 1 && h.getRouters(0).getHaState() == HaState.HA_STATE_ACTIVE
        && !h.getRouters(0).getHaHandover();
  }

  private static boolean handingOver(HostRouters h) {
    return h.getRoutersCount() == 1 && h.getRouters(0).getHaHandover();
  }

  @Test
  @DisplayName("drained: told the new active host, then dropped by the control plane, the host keeps r1's addresses for agent.snat-handover-ms marked as handing over to that host, then gives them up")
  void drainedHostHandsOver(Vertx vertx) throws InterruptedException {
    AtomicBoolean granting = new AtomicBoolean(true);
    Thread grants = activeWithLease(granting);
    // The drain begins: still ACTIVE here (draining), network2 active beside it: not handing over yet.
    changed(vertx, view(HaState.HA_STATE_ACTIVE, "network2"));
    applyUntil(h -> heldActive(h) && h.getRouters(0).getHaActiveHost().equals("network2"),
        SnatLeaseSyncTest::heldActive, "the drain's view");
    // The drain ends: r1 is no longer this host's. It is kept, addresses held, handed over to network2.
    changed(vertx, noRouters());
    HostRouters handing = applyUntil(h -> !heldActive(h), SnatLeaseSyncTest::heldActive, "the drain's end");
    assertThat(handingOver(handing)).as("r1 kept for the hand-over: %s", handing).isTrue();
    RouterInfo kept = handing.getRouters(0);
    assertThat(kept.getHaState()).as("the addresses stay held").isEqualTo(HaState.HA_STATE_ACTIVE);
    assertThat(kept.getHaActiveHost()).isEqualTo("network2");
    HostRouters after = applyUntil(h -> h.getRoutersCount() == 0, SnatLeaseSyncTest::handingOver, "the hold's end");
    assertThat(after.getRoutersList()).as("given up after the hold").isEmpty();
    granting.set(false);
    grants.join(20_000);
  }

  @Test
  @DisplayName("drained, but the view naming the new active host was never applied (the drain's first and last views came within one apply): the host keeps r1's addresses, asks scheduler-svc which host is active, and hands over to it")
  void drainSeenOnlyAtItsEnd(Vertx vertx) throws InterruptedException {
    AtomicBoolean granting = new AtomicBoolean(true);
    Thread grants = activeWithLease(granting);
    changed(vertx, noRouters());
    var asked = placements.next();
    assertThat(asked.request().getRouterId()).isEqualTo("r1");
    HostRouters waiting = applyUntil(SnatLeaseSyncTest::handingOver, SnatLeaseSyncTest::heldActive, "the question");
    assertThat(waiting.getRouters(0).getHaState()).as("the addresses stay while it asks")
        .isEqualTo(HaState.HA_STATE_ACTIVE);
    assertThat(waiting.getRouters(0).getHaActiveHost()).as("no successor known yet").isEmpty();
    asked.reply().complete(ListHostsForRouterResponse.newBuilder()
        .addHosts(RouterHost.newBuilder().setHost("network2").setSnat(true).setHaState(HaState.HA_STATE_ACTIVE))
        .addHosts(RouterHost.newBuilder().setHost("compute1")).build());
    HostRouters handing = applyUntil(h -> handingOver(h) && h.getRouters(0).getHaActiveHost().equals("network2"),
        SnatLeaseSyncTest::handingOver, "the answer");
    assertThat(handing.getRouters(0).getHaState()).isEqualTo(HaState.HA_STATE_ACTIVE);
    HostRouters after = applyUntil(h -> h.getRoutersCount() == 0, SnatLeaseSyncTest::handingOver, "the hold's end");
    assertThat(after.getRoutersList()).as("given up after the hold").isEmpty();
    granting.set(false);
    grants.join(20_000);
  }

  @Test
  @DisplayName("no hand-over when no other host is active, and none past the lease: a host that loses its lease while handing over gives the addresses up at once")
  void handOverNeverOutlivesTheLease(Vertx vertx) throws InterruptedException {
    AtomicBoolean granting = new AtomicBoolean(true);
    Thread grants = activeWithLease(granting);
    // Dropped without ever being told who takes over, and no other host is active (a router deleted): given up
    // as soon as scheduler-svc says so.
    changed(vertx, noRouters());
    var asked = placements.next();
    assertThat(asked.request().getRouterId()).isEqualTo("r1");
    asked.reply().complete(ListHostsForRouterResponse.newBuilder().addHosts(RouterHost.newBuilder().setHost(HOST)
        .setSnat(true).setHaState(HaState.HA_STATE_ACTIVE)).build());
    applyUntil(h -> h.getRoutersCount() == 0, h -> heldActive(h) || handingOver(h) && h.getRouters(0)
        .getHaActiveHost().isEmpty(), "the drop");
    // Active again, told network2 takes over, then dropped: handing over; then the grants stop.
    changed(vertx, view(HaState.HA_STATE_ACTIVE, HOST));
    applyUntil(SnatLeaseSyncTest::heldActive, h -> h.getRoutersCount() == 0, "active again");
    changed(vertx, view(HaState.HA_STATE_ACTIVE, "network2"));
    applyUntil(h -> heldActive(h) && h.getRouters(0).getHaActiveHost().equals("network2"),
        SnatLeaseSyncTest::heldActive, "the drain's view");
    changed(vertx, noRouters());
    applyUntil(SnatLeaseSyncTest::handingOver, SnatLeaseSyncTest::heldActive, "the drain's end");
    granting.set(false);
    grants.join(20_000);
    HostRouters fenced = applyUntil(h -> !(handingOver(h) && h.getRouters(0).getHaState() == HaState.HA_STATE_ACTIVE),
        h -> true, "the lease's end");
    assertThat(fenced.getRoutersList()).as("the lease ran out before the hold: r1 STANDBY, no address kept").hasSize(1);
    assertThat(fenced.getRouters(0).getHaState()).isEqualTo(HaState.HA_STATE_STANDBY);
  }

  @Test
  @DisplayName("a dvr host renews no SNAT lease")
  void dvrHostsHoldNoLease(Vertx vertx) {
    RouterSync compute = new RouterSync(vertx, "compute9", "dvr", new StandInDataplane(),
        new RouterSync.Timings(5_000, 5, 5, 5, Backoff.of(5, 50), 50, RouterSync.Timings.SNAT_HANDOVER_MILLIS));
    compute.start(600_000);
    var mac = allocator.next();
    mac.reply().complete(DvrHostMac.newBuilder().setHost("compute9").setMacAddress(MAC).build());
    scheduler.next().reply().complete(HostRouters.newBuilder().setHost("compute9").setAgentMode("dvr").build());
    await(compute.settled());
    await(compute.stop());
    assertThat(leases.none()).isTrue();
  }
}
