package io.dvr.agent.sync;

import io.dvr.proto.v1.HostApplied;
import io.dvr.proto.v1.HostAppliedAck;
import io.vertx.core.Future;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the control plane what the host applied after every apply, one report at a time: a report
 * asked for while one is on its way is sent after it (only the latest state: each report is
 * whole), a failed one is sent again after a retry delay or at once when asked again. A report
 * that differs from the last one acknowledged only in its time (an apply that patched an ARP entry
 * or a peer, read from no new copy of a router) is sent {@code refreshMillis} later instead: it would
 * change no status nor any wait, and at N hosts each port's ARP entry would otherwise cost the
 * control plane N reports and N transactions while the port is still converging.
 *
 * <p>States: {@link Idle}, {@link Reporting} (with whether a newer state waits), {@link
 * WaitingToRetry}, {@link Quiet} (a report that only moves the time, due at a timer), {@link
 * Stopped}. Used on the sync's context only.
 */
final class AppliedStateReporter {
  private static final Logger LOG = LoggerFactory.getLogger(AppliedStateReporter.class);
  /** How long a report that only moves the time of the last apply may wait. */
  static final long REFRESH_MILLIS = 5_000;

  sealed interface State {}

  record Idle() implements State {}

  record Reporting(boolean newerWaits) implements State {}

  record WaitingToRetry(long timerId) implements State {}

  record Quiet(long timerId) implements State {}

  record Stopped() implements State {}

  private final SyncContext ctx;
  private final Function<HostApplied, Future<HostAppliedAck>> control;
  private final long retryMillis;
  private final long refreshMillis;
  private State state = new Idle();
  private HostApplied latest;
  /** The last report the control plane acknowledged; null before the first. */
  private HostApplied acknowledged;

  /** {@code control}: sends a report to the control plane, with a time limit. */
  AppliedStateReporter(SyncContext ctx, Function<HostApplied, Future<HostAppliedAck>> control, long retryMillis) {
    this(ctx, control, retryMillis, REFRESH_MILLIS);
  }

  AppliedStateReporter(SyncContext ctx, Function<HostApplied, Future<HostAppliedAck>> control, long retryMillis,
      long refreshMillis) {
    this.ctx = ctx;
    this.control = control;
    this.retryMillis = retryMillis;
    this.refreshMillis = refreshMillis;
  }

  State state() {
    ctx.check("reading the applied-state report");
    return state;
  }

  /** The host's applied state is now {@code applied}: report it. */
  void report(HostApplied applied) {
    ctx.check("requesting an applied-state report");
    latest = applied;
    if (state instanceof Idle) {
      sendOrWait();
    } else if (state instanceof Quiet q) {
      if (!onlyLater(latest)) {
        ctx.cancel(q.timerId());
        send();
      }
    } else if (state instanceof WaitingToRetry w) {
      ctx.cancel(w.timerId());
      send();
    } else if (state instanceof Reporting) {
      state = new Reporting(true);
    }
  }

  /** Sends the latest report now, or after the refresh delay when it only moves the time. */
  private void sendOrWait() {
    if (onlyLater(latest)) {
      state = new Quiet(ctx.timer(refreshMillis, this::refreshDue));
    } else {
      send();
    }
  }

  /** Whether the report says what the acknowledged one said, but for the time of the last apply. */
  private boolean onlyLater(HostApplied report) {
    return acknowledged != null && acknowledged.toBuilder().clearAppliedAt().build()
        .equals(report.toBuilder().clearAppliedAt().build());
  }

  private void refreshDue() {
    ctx.check("sending a refreshed applied-state report");
    if (state instanceof Quiet) {
      send();
    }
  }

  void stop() {
    ctx.check("stopping the applied-state reporter");
    if (state instanceof WaitingToRetry w) {
      ctx.cancel(w.timerId());
    } else if (state instanceof Quiet q) {
      ctx.cancel(q.timerId());
    }
    state = new Stopped();
  }

  private void send() {
    state = new Reporting(false);
    HostApplied sent = latest;
    Future<HostAppliedAck> ack;
    try {
      ack = control.apply(sent);
    } catch (RuntimeException e) {
      ack = Future.failedFuture(e);
    }
    ctx.back(ack).onComplete(done -> {
      ctx.check("taking an applied-state acknowledgement");
      if (!(state instanceof Reporting r)) {
        return; // stopped
      }
      if (done.succeeded()) {
        acknowledged = sent;
      }
      if (r.newerWaits()) {
        sendOrWait();
      } else if (done.succeeded()) {
        state = new Idle();
      } else {
        LOG.warn("host {}: reporting its applied state failed ({}); trying again", ctx.host(), done.cause().getMessage());
        state = new WaitingToRetry(ctx.timer(retryMillis, this::retryDue));
      }
    });
  }

  private void retryDue() {
    ctx.check("retrying an applied-state report");
    if (state instanceof WaitingToRetry) {
      send();
    }
  }
}
