package io.dvr.agent.sync;

import io.dvr.agent.Dataplane;
import io.dvr.agent.render.HostParts;
import io.dvr.proto.v1.HostRouters;
import io.vertx.core.Future;
import io.opentelemetry.api.trace.SpanContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Applies the wanted host state through the {@link Dataplane}, one apply at a time: requests that
 * come while an apply runs are merged into one more apply after it; a failed apply is tried
 * again after a {@link Backoff} (1 s doubling to 30 s, reset by a success), or at once when
 * something new was asked for during it. Nothing is applied while the view is not {@link
 * HostView#wanted() wanted} yet (before the first full sync) or after stop.
 *
 * <p>States: {@link Idle}, {@link Applying}, {@link ApplyingThenAgain} (a request came during the
 * apply), {@link BackingOff} (after a failure; a request applies at once, the delay it waited is
 * kept for the next failure), {@link Stopped}. Transitions run on the sync's context; the
 * {@link #applied() outcome} is published for any thread to read.
 */
final class Applier {

  sealed interface State {}

  record Idle() implements State {}

  record Applying() implements State {}

  record ApplyingThenAgain() implements State {}

  record BackingOff(long delayMillis, long timerId) implements State {}

  record Stopped() implements State {}

  /** What the last successful apply did, readable from any thread. */
  record Applied(int lastOperations, long operationsSinceStart, boolean syncedOnce, HostRouters view) {
    static final Applied NONE = new Applied(0, 0, false, HostRouters.getDefaultInstance());

    /** The peers' tunnel endpoints in the view last applied (worked out when asked: applies are many, readers few). */
    Map<String, String> tunnelEndpoints() {
      return Map.copyOf(HostParts.tunnelEndpoints(view));
    }
  }

  /** Told of each apply's outcome, on the sync's context. */
  interface Outcome {
    /** {@code inFull}: the apply was of the whole host, not of some routers; {@code nanos}: how long it took. */
    void applied(HostRouters wanted, int operations, boolean inFull, long nanos);

    void failed(Throwable err, long retryMillis);
  }

  private final SyncContext ctx;
  private final Dataplane dataplane;
  private final Supplier<Optional<HostRouters>> wanted;
  private final Outcome outcome;
  private Backoff backoff;
  private State state = new Idle();
  /** Since the last apply started: whether anything may have changed, else the routers that changed. */
  private boolean pendingFull = true;
  private final Set<String> pendingRouters = new HashSet<>();
  /** Since the last apply started: VM ports were plugged or unplugged under the agent. */
  private boolean pendingPorts;
  /** The traced changes the next apply carries out (its span's parent and links). */
  private final List<SpanContext> pendingCauses = new ArrayList<>();
  private volatile Applied applied = Applied.NONE;
  /** What waits for the applies running or due to end (see {@link #afterApplies}). */
  private final List<Runnable> afterApplies = new ArrayList<>();

  Applier(SyncContext ctx, Dataplane dataplane, Supplier<Optional<HostRouters>> wanted, Backoff backoff,
      Outcome outcome) {
    this.ctx = ctx;
    this.dataplane = dataplane;
    this.wanted = wanted;
    this.backoff = backoff;
    this.outcome = outcome;
  }

  State state() {
    ctx.check("reading the apply state");
    return state;
  }

  /** The outcome of the applies so far (any thread). */
  Applied applied() {
    return applied;
  }

  /** The wanted state may have changed anywhere: apply it in full now, or once more after the apply running. */
  void request() {
    ctx.check("requesting an apply");
    pendingFull = true;
    requested();
  }

  /**
   * Only these routers (by id) changed in the wanted state: applied as {@link #request()} is, but
   * the dataplane is told which routers changed since the last apply (requests merged while one
   * runs add up; a full request or a failed apply makes the next apply full).
   */
  void requestRouters(Collection<String> routerIds) {
    ctx.check("requesting an apply");
    if (routerIds.isEmpty()) {
      pendingFull = true;
    } else {
      pendingRouters.addAll(routerIds);
    }
    requested();
  }

  /**
   * VM ports were plugged or unplugged on the host under the agent: applied as {@link #request()}
   * is, but the dataplane reads the host's ports and applies only the routers whose ports moved
   * when nothing else did (merged with routers asked for meanwhile; a full request wins).
   */
  void requestPortsMoved() {
    ctx.check("requesting an apply");
    pendingPorts = true;
    requested();
  }

  /**
   * Runs {@code then} on the sync's context once no apply is running or due: after the apply
   * running now and those asked for meanwhile have ended (succeeded, or failed and backing off);
   * at once when none runs. Dropped after stop.
   */
  void afterApplies(Runnable then) {
    ctx.check("waiting for the applies");
    if (state instanceof Applying || state instanceof ApplyingThenAgain) {
      afterApplies.add(then);
    } else if (!(state instanceof Stopped)) {
      then.run();
    }
  }

  private void runAfterAppliesIfSettled() {
    if (afterApplies.isEmpty() || state instanceof Applying || state instanceof ApplyingThenAgain
        || state instanceof Stopped) {
      return;
    }
    List<Runnable> due = List.copyOf(afterApplies);
    afterApplies.clear();
    due.forEach(Runnable::run);
  }

  /** A traced change arrived: the next apply to start carries it out (an untraced one: nothing). */
  void causedBy(Optional<SpanContext> cause) {
    ctx.check("noting what caused an apply");
    cause.filter(c -> !pendingCauses.contains(c)).ifPresent(pendingCauses::add);
  }

  private void requested() {
    if (state instanceof Idle) {
      apply();
    } else if (state instanceof Applying) {
      state = new ApplyingThenAgain();
    } else if (state instanceof BackingOff b) {
      ctx.cancel(b.timerId());
      apply();
    }
    // ApplyingThenAgain: already merged; Stopped: nothing is applied any more.
  }

  void stop() {
    ctx.check("stopping the applier");
    if (state instanceof BackingOff b) {
      ctx.cancel(b.timerId());
    }
    state = new Stopped();
  }

  private void apply() {
    Optional<HostRouters> host = wanted.get();
    if (host.isEmpty()) {
      state = new Idle(); // no full sync yet: its reply asks again
      return;
    }
    state = new Applying();
    Set<String> changed = pendingFull ? Set.of() : Set.copyOf(pendingRouters);
    boolean portsMoved = pendingPorts && !pendingFull;
    pendingFull = false;
    pendingPorts = false;
    pendingRouters.clear();
    List<SpanContext> causes = List.copyOf(pendingCauses);
    pendingCauses.clear();
    ApplySpan span = ApplySpan.start(ctx.host(), changed, causes);
    long start = System.nanoTime();
    Future<Integer> done;
    try {
      done = portsMoved ? dataplane.applyAfterPortsMoved(host.get(), changed) : dataplane.apply(host.get(), changed);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    ctx.back(done).onSuccess(n -> {
      span.applied(n);
      succeeded(host.get(), n, changed.isEmpty() && !portsMoved, System.nanoTime() - start);
    }).onFailure(err -> {
      span.failed(err);
      pendingCauses.addAll(0, causes); // the retry carries them out
      failed(err);
    });
  }

  private void succeeded(HostRouters host, int operations, boolean inFull, long nanos) {
    ctx.check("taking an applied result");
    if (state instanceof Stopped) {
      return;
    }
    boolean again = state instanceof ApplyingThenAgain;
    backoff = backoff.succeeded();
    Applied before = applied;
    applied = new Applied(operations, before.operationsSinceStart() + operations, true, host);
    state = new Idle();
    outcome.applied(host, operations, inFull, nanos);
    if (again) {
      requested(); // what was asked meanwhile (some routers, or everything) is pending already
    }
    runAfterAppliesIfSettled();
  }

  private void failed(Throwable err) {
    ctx.check("taking a failed apply");
    if (state instanceof Stopped) {
      return;
    }
    boolean again = state instanceof ApplyingThenAgain;
    pendingFull = true; // what the failed apply did is not known: the next one is in full
    backoff = backoff.failed();
    outcome.failed(err, again ? 0 : backoff.current());
    if (again) {
      apply();
    } else {
      state = new BackingOff(backoff.current(), ctx.timer(backoff.current(), this::backoffOver));
    }
    runAfterAppliesIfSettled();
  }

  private void backoffOver() {
    ctx.check("retrying an apply");
    if (state instanceof BackingOff) {
      apply();
    }
  }
}
