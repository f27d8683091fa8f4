package io.dvr.agent.sync;

import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostRouters;
import io.vertx.core.Future;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the host's routers from the control plane, one request at a time. What is wanted while
 * a fetch is on its way is merged and fetched right after it ("dirty while fetching"); a failed
 * fetch is asked for again after a retry delay, or at once when more was wanted meanwhile.
 *
 * <p>States: {@link Idle}; {@link Fetching} (a scope on its way, and what to fetch after it);
 * {@link WaitingToRetry} (a failed scope, fetched when the delay is over or something new is
 * wanted); {@link Stopped} (nothing is fetched or delivered any more). Used on the sync's context
 * only.
 */
final class RouterFetcher {
  private static final Logger LOG = LoggerFactory.getLogger(RouterFetcher.class);

  sealed interface State {}

  record Idle() implements State {}

  /** {@code inFlight} is on its way; {@code next} (maybe empty) is fetched after it. */
  record Fetching(FetchScope inFlight, FetchScope next) implements State {}

  record WaitingToRetry(FetchScope scope, long timerId) implements State {}

  record Stopped() implements State {}

  private final SyncContext ctx;
  private final Function<GetHostRoutersRequest, Future<HostRouters>> source;
  private final long retryMillis;
  private final BiConsumer<FetchScope, HostRouters> fetched;
  private State state = new Idle();

  /**
   * @param source asks the control plane (with a time limit) for the routers of a request
   * @param fetched takes each reply, with the scope it answers, on the sync's context
   */
  RouterFetcher(SyncContext ctx, Function<GetHostRoutersRequest, Future<HostRouters>> source, long retryMillis,
      BiConsumer<FetchScope, HostRouters> fetched) {
    this.ctx = ctx;
    this.source = source;
    this.retryMillis = retryMillis;
    this.fetched = fetched;
  }

  State state() {
    ctx.check("reading the fetch state");
    return state;
  }

  /** Whether a fetch on its way will bring this router's state (so a patch now may be overwritten). */
  boolean fetching(String routerId) {
    ctx.check("reading the fetch state");
    return state instanceof Fetching f && f.inFlight().covers(routerId);
  }

  /** Whether any fetch is on its way (its reply replaces the host part of the view). */
  boolean busy() {
    ctx.check("reading the fetch state");
    return state instanceof Fetching;
  }

  /** Every router the host carries is wanted (a full sync). */
  void wantAll() {
    want(FetchScope.all());
  }

  /** These routers are wanted: fetched now, or right after the fetch on its way. */
  void want(FetchScope scope) {
    ctx.check("wanting routers fetched");
    if (scope.isEmpty()) {
      return;
    }
    if (state instanceof Idle) {
      send(scope);
    } else if (state instanceof WaitingToRetry w) {
      ctx.cancel(w.timerId());
      send(w.scope().merge(scope));
    } else if (state instanceof Fetching f) {
      state = new Fetching(f.inFlight(), f.next().merge(scope));
    }
    // Stopped: nothing more is fetched.
  }

  void stop() {
    ctx.check("stopping the fetcher");
    if (state instanceof WaitingToRetry w) {
      ctx.cancel(w.timerId());
    }
    state = new Stopped();
  }

  private void send(FetchScope scope) {
    state = new Fetching(scope, FetchScope.NONE);
    LOG.debug("host {}: fetching {}", ctx.host(), scope); // with the reply's line: the fetch's round trip
    Future<HostRouters> reply;
    try {
      reply = source.apply(scope.request(ctx.host()));
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    ctx.back(reply).onSuccess(this::succeeded).onFailure(this::failed);
  }

  private void succeeded(HostRouters reply) {
    ctx.check("taking a fetch reply");
    if (!(state instanceof Fetching f)) {
      return; // stopped meanwhile
    }
    state = new Idle();
    LOG.debug("host {}: fetch {} answered", ctx.host(), f.inFlight());
    try {
      fetched.accept(f.inFlight(), reply);
    } finally {
      want(f.next()); // what was wanted meanwhile is not lost to a failure of the taker
    }
  }

  private void failed(Throwable err) {
    ctx.check("taking a failed fetch");
    if (!(state instanceof Fetching f)) {
      return;
    }
    // A scheduler instance may just have died: keep what was asked for and ask again.
    LOG.warn("host {}: router fetch {} failed ({}); trying again", ctx.host(), f.inFlight(), err.getMessage());
    FetchScope again = f.inFlight().merge(f.next());
    if (f.next().isEmpty()) {
      state = new WaitingToRetry(again, ctx.timer(retryMillis, this::retryDue));
    } else {
      send(again);
    }
  }

  private void retryDue() {
    ctx.check("retrying a fetch");
    if (state instanceof WaitingToRetry w) {
      send(w.scope());
    }
  }
}
