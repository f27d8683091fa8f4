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
 * whole), a failed one is sent again after a retry delay or at once when asked again.
 *
 * <p>States: {@link Idle}, {@link Reporting} (with whether a newer state waits), {@link
 * WaitingToRetry}, {@link Stopped}. Used on the sync's context only.
 */
final class AppliedStateReporter {
  private static final Logger LOG = LoggerFactory.getLogger(AppliedStateReporter.class);

  sealed interface State {}

  record Idle() implements State {}

  record Reporting(boolean newerWaits) implements State {}

  record WaitingToRetry(long timerId) implements State {}

  record Stopped() implements State {}

  private final SyncContext ctx;
  private final Function<HostApplied, Future<HostAppliedAck>> control;
  private final long retryMillis;
  private State state = new Idle();
  private HostApplied latest;

  /** {@code control}: sends a report to the control plane, with a time limit. */
  AppliedStateReporter(SyncContext ctx, Function<HostApplied, Future<HostAppliedAck>> control, long retryMillis) {
    this.ctx = ctx;
    this.control = control;
    this.retryMillis = retryMillis;
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
      send();
    } else if (state instanceof WaitingToRetry w) {
      ctx.cancel(w.timerId());
      send();
    } else if (state instanceof Reporting) {
      state = new Reporting(true);
    }
  }

  void stop() {
    ctx.check("stopping the applied-state reporter");
    if (state instanceof WaitingToRetry w) {
      ctx.cancel(w.timerId());
    }
    state = new Stopped();
  }

  private void send() {
    state = new Reporting(false);
    Future<HostAppliedAck> ack;
    try {
      ack = control.apply(latest);
    } catch (RuntimeException e) {
      ack = Future.failedFuture(e);
    }
    ctx.back(ack).onComplete(done -> {
      ctx.check("taking an applied-state acknowledgement");
      if (!(state instanceof Reporting r)) {
        return; // stopped
      }
      if (r.newerWaits()) {
        send();
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
