package io.dvr.agent.sync;

import static io.dvr.agent.sync.SyncTesting.on;
import static io.dvr.agent.sync.SyncTesting.reply;
import static io.dvr.agent.sync.SyncTesting.router;
import static io.dvr.agent.sync.SyncTesting.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.agent.sync.Applier.Applied;
import io.dvr.agent.sync.Applier.Applying;
import io.dvr.agent.sync.Applier.ApplyingThenAgain;
import io.dvr.agent.sync.Applier.BackingOff;
import io.dvr.agent.sync.Applier.Idle;
import io.dvr.agent.sync.Applier.Stopped;
import io.dvr.agent.sync.SyncTesting.StandInDataplane;
import io.dvr.proto.v1.HostPeer;
import io.dvr.proto.v1.HostRouters;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class ApplierTest {
  private static final HostRouters WANTED = reply(router("r1")).toBuilder().setDvrMac("fa:16:3f:00:00:01")
      .addPeers(HostPeer.newBuilder().setHost("compute2").setTunnelIp("172.31.0.12")).build();

  private final StandInDataplane dataplane = new StandInDataplane();
  private final AtomicReference<Optional<HostRouters>> wanted = new AtomicReference<>(Optional.of(WANTED));
  private final List<Integer> appliedCounts = new CopyOnWriteArrayList<>();
  private final BlockingQueue<Long> retryDelays = new LinkedBlockingQueue<>();

  private Applier applier(SyncContext ctx, Backoff backoff) {
    return new Applier(ctx, dataplane, wanted::get, backoff, new Applier.Outcome() {
      @Override
      public void applied(HostRouters host, int operations, boolean inFull, long nanos) {
        appliedCounts.add(operations);
      }

      @Override
      public void failed(Throwable err, long retryMillis) {
        retryDelays.add(retryMillis);
      }
    });
  }

  private long nextRetryDelay() throws InterruptedException {
    Long delay = retryDelays.poll(SyncTesting.WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(delay).as("a failed apply within %d s", SyncTesting.WAIT_SECONDS).isNotNull();
    return delay;
  }

  @Test
  @DisplayName("the apply backoff is 1 s doubling to 30 s, and starts again from 1 s after a success")
  void backoffDelays() {
    Backoff b = Backoff.APPLY;
    long[] delays = new long[7];
    for (int i = 0; i < delays.length; i++) {
      b = b.failed();
      delays[i] = b.current();
    }
    assertThat(delays).containsExactly(1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000);
    assertThat(b.succeeded().failed().current()).isEqualTo(1_000);
    assertThatThrownBy(() -> Backoff.of(0, 10)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a failing apply is retried on its own with doubling delays up to the cap; a success resets them")
  void failedApplyBacksOff(Vertx vertx) throws Exception {
    SyncContext ctx = SyncTesting.context(vertx);
    for (int i = 0; i < 7; i++) {
      dataplane.thenFail("device busy");
    }
    dataplane.thenSucceed(4).thenFail("device busy again");
    Applier applier = applier(ctx, Backoff.of(1, 30));
    run(ctx, applier::request);
    long[] delays = new long[7];
    for (int i = 0; i < delays.length; i++) {
      delays[i] = nextRetryDelay();
    }
    assertThat(delays).containsExactly(1, 2, 4, 8, 16, 30, 30);
    for (int i = 0; i < 8; i++) {
      assertThat(dataplane.nextApply()).isEqualTo(WANTED);
    }
    run(ctx, applier::request); // after the success: fails once more
    assertThat(nextRetryDelay()).as("backoff reset by the success").isEqualTo(1);
    // The retry 1 ms later may already have run (the script is spent: it succeeds with 0 operations).
    List<Integer> counts = List.copyOf(appliedCounts);
    assertThat(counts).first().isEqualTo(4);
    assertThat(counts.subList(1, counts.size())).as("only that retry after it").allMatch(n -> n == 0);
  }

  @Test
  @DisplayName("what waits for the applies runs once the apply running and the one asked for meanwhile have ended,"
      + " or at once when none runs")
  void afterApplies(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    Applier applier = applier(ctx, Backoff.APPLY);
    List<String> ran = new CopyOnWriteArrayList<>();
    run(ctx, () -> applier.afterApplies(() -> ran.add("idle")));
    assertThat(ran).as("nothing running: at once").containsExactly("idle");

    Promise<Integer> first = dataplane.thenHold();
    Promise<Integer> second = dataplane.thenHold();
    run(ctx, applier::request);
    dataplane.nextApply();
    run(ctx, () -> applier.afterApplies(() -> ran.add("after")));
    run(ctx, applier::request);
    run(ctx, () -> first.complete(1));
    dataplane.nextApply();
    assertThat(ran).as("the apply asked for meanwhile still runs").containsExactly("idle");
    run(ctx, () -> second.complete(1));
    assertThat(on(ctx, () -> List.copyOf(ran))).containsExactly("idle", "after");
  }

  @Test
  @DisplayName("requests while an apply runs are merged into one more apply after it")
  void mergedWhileApplying(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    Promise<Integer> held = dataplane.thenHold();
    Applier applier = applier(ctx, Backoff.APPLY);
    run(ctx, applier::request);
    assertThat(on(ctx, applier::state)).isEqualTo(new Applying());
    dataplane.nextApply();
    run(ctx, applier::request);
    run(ctx, applier::request);
    run(ctx, applier::request);
    assertThat(on(ctx, applier::state)).isEqualTo(new ApplyingThenAgain());
    assertThat(dataplane.noApply()).as("one apply at a time").isTrue();
    run(ctx, () -> held.complete(2));
    dataplane.nextApply();
    assertThat(on(ctx, applier::state)).isEqualTo(new Idle());
    assertThat(dataplane.noApply()).as("three requests, one more apply").isTrue();
    assertThat(appliedCounts).containsExactly(2, 0);
  }

  @Test
  @DisplayName("the dataplane is told which routers changed: merged while an apply runs, full after a full request or a failure")
  void changedRouters(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    Promise<Integer> held = dataplane.thenHold();
    Applier applier = applier(ctx, Backoff.of(600_000, 6_000_000));
    run(ctx, () -> applier.requestRouters(List.of("r1")));
    assertThat(dataplane.nextChanged()).as("the first apply is full").isEmpty();
    run(ctx, () -> applier.requestRouters(List.of("r1")));
    run(ctx, () -> applier.requestRouters(List.of("r2")));
    run(ctx, () -> held.complete(1));
    assertThat(dataplane.nextChanged()).containsExactlyInAnyOrder("r1", "r2");
    Promise<Integer> again = dataplane.thenHold();
    run(ctx, () -> applier.requestRouters(List.of("r3")));
    assertThat(dataplane.nextChanged()).containsExactly("r3");
    run(ctx, () -> applier.requestRouters(List.of("r1")));
    run(ctx, applier::request);
    run(ctx, () -> again.complete(1));
    assertThat(dataplane.nextChanged()).as("a full request covers the routers").isEmpty();
    dataplane.thenFail("device busy");
    run(ctx, () -> applier.requestRouters(List.of("r2")));
    assertThat(dataplane.nextChanged()).containsExactly("r2");
    run(ctx, () -> applier.requestRouters(List.of("r3")));
    assertThat(dataplane.nextChanged()).as("after a failure the host is not known: full").isEmpty();
    run(ctx, applier::stop);
  }

  @Test
  @DisplayName("VM ports moved under the agent: the dataplane applies after the ports moved, with the routers asked"
      + " meanwhile; a full request covers it")
  void portsMoved(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    Applier applier = applier(ctx, Backoff.of(600_000, 6_000_000));
    run(ctx, applier::request);
    assertThat(dataplane.nextChanged()).as("the first apply is full").isEmpty();
    Promise<Integer> held = dataplane.thenHold();
    run(ctx, () -> applier.requestRouters(List.of("r1")));
    assertThat(dataplane.nextChanged()).containsExactly("r1");
    assertThat(dataplane.noPortsMoved()).isTrue();
    run(ctx, applier::requestPortsMoved);
    run(ctx, () -> applier.requestRouters(List.of("r2")));
    Promise<Integer> again = dataplane.thenHold();
    run(ctx, () -> held.complete(1));
    assertThat(dataplane.nextChanged()).containsExactly("r2");
    assertThat(dataplane.takePortsMoved()).as("told that the ports moved").containsExactly("r2");
    run(ctx, applier::requestPortsMoved);
    run(ctx, applier::request);
    run(ctx, () -> again.complete(1));
    assertThat(dataplane.nextChanged()).as("a full request covers the ports").isEmpty();
    assertThat(dataplane.noPortsMoved()).isTrue();
    run(ctx, applier::stop);
  }

  @Test
  @DisplayName("a request while backing off applies at once; the backoff is kept for the next failure")
  void requestWhileBackingOff(Vertx vertx) throws Exception {
    SyncContext ctx = SyncTesting.context(vertx);
    dataplane.thenFail("device busy").thenFail("device busy");
    Applier applier = applier(ctx, Backoff.of(600_000, 6_000_000));
    run(ctx, applier::request);
    assertThat(on(ctx, applier::state)).isInstanceOfSatisfying(BackingOff.class,
        b -> assertThat(b.delayMillis()).isEqualTo(600_000));
    run(ctx, applier::request);
    dataplane.nextApply();
    dataplane.nextApply();
    assertThat(nextRetryDelay()).isEqualTo(600_000);
    assertThat(nextRetryDelay()).isEqualTo(1_200_000);
    run(ctx, applier::stop);
  }

  @Test
  @DisplayName("nothing is applied while the view is not wanted yet (before the first full sync)")
  void nothingBeforeTheFirstFullSync(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    wanted.set(Optional.empty());
    Applier applier = applier(ctx, Backoff.APPLY);
    run(ctx, applier::request);
    assertThat(on(ctx, applier::state)).isEqualTo(new Idle());
    assertThat(dataplane.noApply()).isTrue();
    wanted.set(Optional.of(WANTED));
    run(ctx, applier::request);
    assertThat(dataplane.nextApply()).isEqualTo(WANTED);
  }

  @Test
  @DisplayName("after stop nothing is applied, a late result is not taken, and a backoff timer is cancelled")
  void nothingAfterStop(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    Promise<Integer> held = dataplane.thenHold();
    Applier applier = applier(ctx, Backoff.APPLY);
    run(ctx, applier::request);
    dataplane.nextApply();
    run(ctx, applier::stop);
    run(ctx, () -> held.complete(5));
    run(ctx, applier::request);
    assertThat(on(ctx, applier::state)).isEqualTo(new Stopped());
    assertThat(dataplane.noApply()).isTrue();
    assertThat(applier.applied()).isEqualTo(Applied.NONE);
    assertThat(appliedCounts).isEmpty();
  }

  @Test
  @DisplayName("each success publishes the operations, their sum since start and the tunnel endpoints applied")
  void publishesTheOutcome(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    dataplane.thenSucceed(7).thenSucceed(3);
    Applier applier = applier(ctx, Backoff.APPLY);
    assertThat(applier.applied().syncedOnce()).isFalse();
    run(ctx, applier::request);
    run(ctx, applier::request);
    Applied applied = applier.applied();
    assertThat(applied.lastOperations()).isEqualTo(3);
    assertThat(applied.operationsSinceStart()).isEqualTo(10L);
    assertThat(applied.syncedOnce()).isTrue();
    assertThat(applied.tunnelEndpoints()).isEqualTo(Map.of("compute2", "172.31.0.12"));
  }

  @Test
  @DisplayName("a request off the sync's context is refused, naming the thread")
  void ownedByItsContext(Vertx vertx) {
    Applier applier = applier(SyncTesting.context(vertx), Backoff.APPLY);
    assertThatThrownBy(applier::request).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("requesting an apply").hasMessageContaining(Thread.currentThread().getName());
    assertThat(dataplane.noApply()).isTrue();
  }
}
