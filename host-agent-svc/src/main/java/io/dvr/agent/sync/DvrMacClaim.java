package io.dvr.agent.sync;

import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.dvr.proto.v1.DvrHostMac;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets the host its DVR MAC from mac-allocator-svc, asking again after a delay until it
 * succeeds (an agent starts even while the control plane is away).
 *
 * <p>States: {@link NotAsked}, {@link Asking}, {@link WaitingToRetry}, {@link Held} (the MAC),
 * {@link Stopped}. Used on the sync's context only.
 */
final class DvrMacClaim {
  private static final Logger LOG = LoggerFactory.getLogger(DvrMacClaim.class);

  sealed interface State {}

  record NotAsked() implements State {}

  record Asking() implements State {}

  record WaitingToRetry(long timerId) implements State {}

  record Held(String mac) implements State {}

  record Stopped() implements State {}

  private final SyncContext ctx;
  private final Function<AllocateDvrMacRequest, Future<DvrHostMac>> allocator;
  private final long retryMillis;
  private final Promise<String> held = Promise.promise();
  private State state = new NotAsked();

  /** @param allocator asks for the host's MAC, with a time limit */
  DvrMacClaim(SyncContext ctx, Function<AllocateDvrMacRequest, Future<DvrHostMac>> allocator, long retryMillis) {
    this.ctx = ctx;
    this.allocator = allocator;
    this.retryMillis = retryMillis;
  }

  State state() {
    ctx.check("reading the DVR MAC claim");
    return state;
  }

  /** Asks until a MAC is allocated; completes (on the sync's context) with it. Never fails. */
  Future<String> claim() {
    ctx.check("claiming the DVR MAC");
    if (state instanceof NotAsked) {
      ask();
    }
    return held.future();
  }

  void stop() {
    ctx.check("stopping the DVR MAC claim");
    if (state instanceof WaitingToRetry w) {
      ctx.cancel(w.timerId());
    }
    if (!(state instanceof Held)) {
      state = new Stopped();
    }
  }

  private void ask() {
    state = new Asking();
    Future<DvrHostMac> reply;
    try {
      reply = allocator.apply(AllocateDvrMacRequest.newBuilder().setHost(ctx.host()).build());
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    ctx.back(reply).onSuccess(this::allocated).onFailure(this::failed);
  }

  private void allocated(DvrHostMac mac) {
    ctx.check("taking the DVR MAC");
    if (!(state instanceof Asking)) {
      return;
    }
    LOG.info("host {} has DVR MAC {}", ctx.host(), mac.getMacAddress());
    state = new Held(mac.getMacAddress());
    held.complete(mac.getMacAddress());
  }

  private void failed(Throwable err) {
    ctx.check("taking a failed DVR MAC allocation");
    if (!(state instanceof Asking)) {
      return;
    }
    LOG.warn("host {}: DVR MAC allocation failed ({}); retrying", ctx.host(), err.getMessage());
    state = new WaitingToRetry(ctx.timer(retryMillis, this::retryDue));
  }

  private void retryDue() {
    ctx.check("retrying the DVR MAC allocation");
    if (state instanceof WaitingToRetry) {
      ask();
    }
  }
}
