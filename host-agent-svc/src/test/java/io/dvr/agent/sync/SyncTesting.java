package io.dvr.agent.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.Dataplane;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.HostStateListing;
import io.dvr.proto.v1.RouterInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Helpers for the sync's tests. Tests run on the JUnit thread and drive the parts on their
 * context with {@link #on}, which waits for the step to finish there: steps are ordered, and
 * nothing waits for time to pass, only for an expected event (a request, an apply) to arrive.
 */
final class SyncTesting {
  static final String HOST = "compute1";
  static final long WAIT_SECONDS = 10;

  private SyncTesting() {}

  /** A sync context owned by a new event loop (captured off Vert.x, as a test or main thread does). */
  static SyncContext context(Vertx vertx) {
    SyncContext ctx = SyncContext.capture(vertx, HOST);
    on(ctx, () -> null); // the owner thread is known from here on
    return ctx;
  }

  /** Runs the step on the sync's context and returns its result (rethrowing what it threw). */
  static <T> T on(SyncContext ctx, Supplier<T> step) {
    CompletableFuture<T> done = new CompletableFuture<>();
    ctx.run(() -> {
      try {
        done.complete(step.get());
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    });
    try {
      return done.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError("the step did not finish on the sync's context", e);
    }
  }

  static void run(SyncContext ctx, Runnable step) {
    on(ctx, () -> {
      step.run();
      return null;
    });
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static RouterInfo router(String id, String... arpIps) {
    RouterInfo.Builder r = RouterInfo.newBuilder().setRouterId(id).setDistributed(true).setAdminStateUp(true);
    for (String ip : arpIps) {
      r.addArpEntries(arp(ip));
    }
    return r.build();
  }

  static ArpEntry arp(String ip) {
    return ArpEntry.newBuilder().setIpAddress(ip).setMacAddress("fa:16:3e:00:00:" + ip.substring(ip.lastIndexOf('.') + 1)).build();
  }

  static HostRouters reply(RouterInfo... routers) {
    return HostRouters.newBuilder().setHost(HOST).setAgentMode("dvr").addAllRouters(java.util.List.of(routers)).build();
  }

  /**
   * Requests a test answers by hand: each call is queued with the promise of its reply, and the
   * test takes them in order ({@link #next}), then completes or fails the reply.
   */
  static final class Answers<Q, R> implements Function<Q, Future<R>> {
    record Call<Q, R>(Q request, Promise<R> reply) {}

    private final BlockingQueue<Call<Q, R>> calls = new LinkedBlockingQueue<>();

    @Override
    public Future<R> apply(Q request) {
      Promise<R> reply = Promise.promise();
      calls.add(new Call<>(request, reply));
      return reply.future();
    }

    /** The next call, waiting for it to come. */
    Call<Q, R> next() {
      try {
        Call<Q, R> call = calls.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(call).as("a request within %d s", WAIT_SECONDS).isNotNull();
        return call;
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    /** Whether no call came that was not taken yet. */
    boolean none() {
      return calls.isEmpty();
    }
  }

  /**
   * A dataplane standing in for the pipeline (tested on its own): it records what it is asked to
   * apply and answers with what the test scripted (succeed with a count, fail, or hold the reply
   * until the test releases it); unscripted applies succeed with 0 operations.
   */
  static final class StandInDataplane implements Dataplane {
    private final BlockingQueue<HostRouters> applies = new LinkedBlockingQueue<>();
    private final BlockingQueue<Set<String>> changes = new LinkedBlockingQueue<>();
    private final Deque<Supplier<Future<Integer>>> script = new ArrayDeque<>();
    private volatile Set<String> wired = Set.of();
    private volatile Runnable hostChanged = () -> {};

    synchronized StandInDataplane thenSucceed(int operations) {
      script.add(() -> Future.succeededFuture(operations));
      return this;
    }

    synchronized StandInDataplane thenFail(String why) {
      script.add(() -> Future.failedFuture(new IllegalStateException(why)));
      return this;
    }

    /** The next apply's reply is held until the test completes the promise. */
    synchronized Promise<Integer> thenHold() {
      Promise<Integer> held = Promise.promise();
      script.add(held::future);
      return held;
    }

    void wire(Set<String> ports) {
      wired = Set.copyOf(ports);
    }

    /** The host changed under the agent, told from the calling thread (as the OVS monitor does). */
    void changeHost() {
      hostChanged.run();
    }

    /** The next apply, waiting for it to come. */
    HostRouters nextApply() {
      try {
        HostRouters applied = applies.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(applied).as("an apply within %d s", WAIT_SECONDS).isNotNull();
        return applied;
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    boolean noApply() {
      return applies.isEmpty();
    }

    /** Applies after VM ports moved, each with the routers it was told changed too. */
    private final BlockingQueue<Set<String>> portsMoved = new LinkedBlockingQueue<>();

    @Override
    public Future<Integer> applyAfterPortsMoved(HostRouters routers, Set<String> changedRouters) {
      portsMoved.add(Set.copyOf(changedRouters));
      return apply(routers, changedRouters);
    }

    /** The routers the next apply after VM ports moved was told changed too; null when none has come. */
    Set<String> takePortsMoved() {
      return portsMoved.poll();
    }

    /** Whether no apply after VM ports moved has come (yet). */
    boolean noPortsMoved() {
      return portsMoved.isEmpty();
    }

    @Override
    public Future<Integer> apply(HostRouters routers, Set<String> changedRouters) {
      changes.add(Set.copyOf(changedRouters));
      return apply(routers);
    }

    /** The routers the next apply was told changed (empty: a full apply), waiting for it to come. */
    Set<String> nextChanged() {
      try {
        Set<String> changed = changes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(changed).as("an apply within %d s", WAIT_SECONDS).isNotNull();
        return changed;
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public Future<Integer> apply(HostRouters routers) {
      Supplier<Future<Integer>> answer;
      synchronized (this) {
        answer = script.poll();
      }
      applies.add(routers);
      return answer == null ? Future.succeededFuture(0) : answer.get();
    }

    @Override
    public Future<HostStateListing> print(String namespace) {
      return Future.succeededFuture(HostStateListing.newBuilder().setHost(HOST).build());
    }

    @Override
    public void watch(Runnable hostChanged) {
      this.hostChanged = hostChanged;
    }

    @Override
    public Set<String> wiredPorts() {
      return wired;
    }
  }
}
