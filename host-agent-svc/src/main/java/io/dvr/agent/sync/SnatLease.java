package io.dvr.agent.sync;

import io.dvr.agent.render.CentralSnat;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.SnatLeaseGrant;
import io.dvr.proto.v1.SnatLeaseRenewal;
import io.vertx.core.Future;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dvr_snat host's SNAT lease: the host may hold the addresses of the HA routers the control
 * plane made it ACTIVE for only while its lease is held, and gives every one of them up at once
 * when it is not (self-fencing), so that the control plane can promote a standby elsewhere after
 * the lease it recorded has expired without two hosts ever answering for one address.
 *
 * <p>Every renew interval a {@link SnatLeaseRenewal} goes out naming the HA routers the host holds
 * ACTIVE now (as last applied). Its time limit is the renew interval until a grant says the hold,
 * then the hold: a grant that comes later than that holds nothing, one that comes earlier still
 * extends the lease, so a control plane slower than the renew interval (a loaded machine) does not
 * make the host fence itself while its grants still arrive within the hold. A grant of {@code
 * hold_millis} holds the lease until the renewal's SEND time plus {@code hold_millis} (monotonic
 * clock: the control plane counts from when it received it, plus a grace, so the host's end is
 * always before the control plane's). A timer set at that instant fences the host unless a newer
 * grant came; a later grant gives the roles back. Renewals never wait for one another: each
 * reply extends the lease from its own send time, and a late one only extends less.
 *
 * <p>A host that was fenced does not trust the roles it holds: while it was cut off the control
 * plane may have promoted another host and told it so in a message it never got. Taking the lease
 * again, it first asks for a full sync ({@code refetch}) and claims only once a view fetched after
 * the grant is taken ({@link #viewTaken}).
 *
 * <p>States: {@link Fenced} (no lease: the start, or it ran out), {@link Confirming} (the lease is
 * held but the roles wait for a view fetched after it was taken), {@link Held} (until an instant,
 * with the timer set there), {@link Stopped}. Used on the sync's context only; {@code
 * rolesChanged} is told of every change between held and not held, and the applier then applies
 * the routers concerned with the roles of {@link #roles}.
 */
final class SnatLease {
  private static final Logger LOG = LoggerFactory.getLogger(SnatLease.class);

  sealed interface State {}

  record Fenced() implements State {}

  /**
   * Held until {@code untilNanos}, but no view fetched since {@code sinceNanos} (when the lease was
   * taken) has been taken yet: the roles stay fenced.
   */
  record Confirming(long untilNanos, long timerId, long sinceNanos) implements State {}

  /** Held until {@code untilNanos} (of the lease's clock); {@code timerId} fences at that instant. */
  record Held(long untilNanos, long timerId) implements State {}

  record Stopped() implements State {}

  private final SyncContext ctx;
  private final long renewMillis;
  private final BiFunction<SnatLeaseRenewal, Long, Future<SnatLeaseGrant>> control;
  private final Supplier<List<String>> activeNow;
  private final Runnable rolesChanged;
  private final Runnable refetch;
  private final LongSupplier clock;
  private State state = new Fenced();
  private long renewTimer = -1;
  private long grants;
  /** The hold of the last grant (0: none yet). */
  private long lastHoldMillis;

  /**
   * @param control sends a renewal to the control plane with the given time limit (milliseconds)
   * @param activeNow the HA routers the host holds ACTIVE now (claimed by the last apply)
   * @param rolesChanged told when the lease is taken or lost: the active roles must be applied again
   * @param refetch asks for a full sync (the lease was taken again: the roles held may be stale)
   * @param clock monotonic nanoseconds ({@link System#nanoTime})
   */
  SnatLease(SyncContext ctx, long renewMillis, BiFunction<SnatLeaseRenewal, Long, Future<SnatLeaseGrant>> control,
      Supplier<List<String>> activeNow, Runnable rolesChanged, Runnable refetch, LongSupplier clock) {
    if (renewMillis <= 0) {
      throw new IllegalArgumentException("setting agent.snat-lease-renew-ms is " + renewMillis + "; it must be above 0");
    }
    this.ctx = ctx;
    this.renewMillis = renewMillis;
    this.control = control;
    this.activeNow = activeNow;
    this.rolesChanged = rolesChanged;
    this.refetch = refetch;
    this.clock = clock;
  }

  State state() {
    ctx.check("reading the SNAT lease");
    return state;
  }

  /** Whether the host may hold its active HA routers now. */
  boolean held() {
    ctx.check("reading the SNAT lease");
    return state instanceof Held h && clock.getAsLong() < h.untilNanos();
  }

  /** Grants taken so far (tests). */
  long grants() {
    ctx.check("reading the SNAT lease");
    return grants;
  }

  /** Renews now and then every renew interval, until stopped. */
  void start() {
    ctx.check("starting the SNAT lease");
    if (state instanceof Stopped || renewTimer >= 0) {
      return;
    }
    renew();
    renewTimer = ctx.periodic(renewMillis, this::renew);
  }

  /**
   * The addresses the host holds changed (an apply claimed or gave up an HA router's): renews at
   * once, so that a drain waiting for this host's claim ends without waiting for the next interval.
   */
  void claimsChanged() {
    ctx.check("renewing the SNAT lease");
    if (renewTimer >= 0) {
      renew();
    }
  }

  void stop() {
    ctx.check("stopping the SNAT lease");
    if (renewTimer >= 0) {
      ctx.cancel(renewTimer);
    }
    if (state instanceof Held h) {
      ctx.cancel(h.timerId());
    } else if (state instanceof Confirming c) {
      ctx.cancel(c.timerId());
    }
    state = new Stopped();
  }

  /**
   * The view as the host may render it now: as the control plane sent it while the lease is held;
   * else every HA router it is ACTIVE for turned STANDBY (the same object when there is none).
   */
  HostRouters roles(HostRouters wanted) {
    return held() ? wanted : fenced(wanted);
  }

  /** The view with the ACTIVE role of every HA router turned STANDBY. */
  static HostRouters fenced(HostRouters wanted) {
    HostRouters.Builder b = null;
    for (int i = 0; i < wanted.getRoutersCount(); i++) {
      RouterInfo r = wanted.getRouters(i);
      if (r.getHa() && r.getHaState() == HaState.HA_STATE_ACTIVE) {
        b = b == null ? wanted.toBuilder() : b;
        b.setRouters(i, r.toBuilder().setHaState(HaState.HA_STATE_STANDBY));
      }
    }
    return b == null ? wanted : b.build();
  }

  /** The HA routers whose SNAT addresses a view (as applied) makes the host hold, by id. */
  static List<String> activeRouters(HostRouters applied) {
    Set<String> ids = new TreeSet<>();
    for (RouterInfo r : applied.getRoutersList()) {
      if (r.getHa() && r.getSnatHere() && CentralSnat.claimsAddresses(r)) {
        ids.add(r.getRouterId());
      }
    }
    return List.copyOf(ids);
  }

  private void renew() {
    ctx.check("renewing the SNAT lease");
    if (state instanceof Stopped) {
      return;
    }
    long sentAt = clock.getAsLong();
    SnatLeaseRenewal renewal = SnatLeaseRenewal.newBuilder().setHost(ctx.host()).addAllActiveRouterIds(activeNow.get())
        .build();
    Future<SnatLeaseGrant> grant;
    try {
      grant = control.apply(renewal, Math.max(renewMillis, lastHoldMillis));
    } catch (RuntimeException e) {
      grant = Future.failedFuture(e);
    }
    ctx.back(grant).onSuccess(g -> granted(sentAt, g)).onFailure(err -> {
      // Every interval: a lost control plane would fill the log. The fencing itself is logged.
      LOG.debug("host {}: SNAT lease renewal failed ({})", ctx.host(), err.getMessage());
    });
  }

  private void granted(long sentAt, SnatLeaseGrant grant) {
    ctx.check("taking a SNAT lease grant");
    if (state instanceof Stopped || grant.getHoldMillis() <= 0) {
      return;
    }
    grants++;
    lastHoldMillis = grant.getHoldMillis();
    long until = sentAt + TimeUnit.MILLISECONDS.toNanos(grant.getHoldMillis());
    long now = clock.getAsLong();
    if (until <= now) {
      return; // it came after its own end: it holds nothing
    }
    if (state instanceof Held h) {
      if (until > h.untilNanos()) {
        ctx.cancel(h.timerId());
        state = new Held(until, fenceAt(until, now));
      }
      return;
    }
    if (state instanceof Confirming c) {
      if (until > c.untilNanos()) {
        ctx.cancel(c.timerId());
        state = new Confirming(until, fenceAt(until, now), c.sinceNanos());
      }
      return;
    }
    state = new Confirming(until, fenceAt(until, now), now);
    LOG.info("host {}: SNAT lease held (for {} ms from each renewal); fetching its routers before taking the active "
        + "roles of its HA routers", ctx.host(), grant.getHoldMillis());
    refetch.run();
  }

  /**
   * A full view of the host's routers was taken, fetched by a request sent at {@code fetchSentNanos}:
   * once it was sent after the lease was taken, the roles it says are the host's.
   */
  void viewTaken(long fetchSentNanos) {
    ctx.check("taking a view for the SNAT lease");
    if (state instanceof Confirming c && fetchSentNanos >= c.sinceNanos()) {
      state = new Held(c.untilNanos(), c.timerId());
      LOG.info("host {}: SNAT lease held with a fresh view; taking the active roles of its HA routers", ctx.host());
      rolesChanged.run();
    }
  }

  private long fenceAt(long untilNanos, long now) {
    // Rounded up: the timer must not fire before the instant, or the check below sets it again.
    long delayMillis = Math.max(1, (untilNanos - now + 999_999) / 1_000_000);
    return ctx.timer(delayMillis, this::holdOver);
  }

  private void holdOver() {
    ctx.check("ending the SNAT lease");
    long now = clock.getAsLong();
    if (state instanceof Confirming c) {
      state = now < c.untilNanos() ? new Confirming(c.untilNanos(), fenceAt(c.untilNanos(), now), c.sinceNanos())
          : new Fenced(); // nothing was claimed under it
      return;
    }
    if (!(state instanceof Held h)) {
      return;
    }
    if (now < h.untilNanos()) {
      state = new Held(h.untilNanos(), fenceAt(h.untilNanos(), now));
      return;
    }
    state = new Fenced();
    LOG.warn("host {}: SNAT lease not renewed in time (no grant from the control plane); giving up the active role of "
        + "its HA routers {}", ctx.host(), activeNow.get());
    rolesChanged.run();
  }
}
