package io.dvr.agent.sync;

import static io.dvr.agent.sync.SyncTesting.HOST;
import static io.dvr.agent.sync.SyncTesting.await;
import static io.dvr.agent.sync.SyncTesting.on;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class SyncContextTest {

  @Test
  @DisplayName("captured off Vert.x, the sync owns a new event loop; the check passes there and names the thread elsewhere")
  void ownsOneEventLoop(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    Thread owner = on(ctx, Thread::currentThread);
    assertThat(owner.getName()).startsWith("vert.x-eventloop-thread");
    assertThat(on(ctx, () -> {
      ctx.check("a transition");
      return ctx.onContext();
    })).isTrue();
    assertThatThrownBy(() -> ctx.check("a transition")).isInstanceOf(IllegalStateException.class)
        .hasMessage("host " + HOST + ": a transition ran on thread " + Thread.currentThread().getName()
            + ", not on the router sync's context (thread " + owner.getName() + ")");
  }

  @Test
  @DisplayName("a future completed on another thread is taken back on the sync's context")
  void backOnTheContext(Vertx vertx) throws Exception {
    SyncContext ctx = SyncTesting.context(vertx);
    Thread owner = on(ctx, Thread::currentThread);
    Promise<String> elsewhere = Promise.promise();
    CompletableFuture<Thread> handledOn = new CompletableFuture<>();
    on(ctx, () -> ctx.back(elsewhere.future()).onComplete(r -> handledOn.complete(Thread.currentThread())));
    elsewhere.complete("done"); // on the JUnit thread
    assertThat(handledOn.get(SyncTesting.WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(owner);
  }

  @Test
  @DisplayName("a timer's action runs on the sync's context")
  void timersRunOnTheContext(Vertx vertx) throws Exception {
    SyncContext ctx = SyncTesting.context(vertx);
    Thread owner = on(ctx, Thread::currentThread);
    CompletableFuture<Thread> ranOn = new CompletableFuture<>();
    ctx.timer(1, () -> ranOn.complete(Thread.currentThread()));
    assertThat(ranOn.get(SyncTesting.WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(owner);
  }

  @Test
  @DisplayName("a sync cannot start on a worker context: its state would not be confined to one thread")
  void refusesWorkers(Vertx vertx) {
    Future<String> deployed = vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        SyncContext.capture(vertx, HOST);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER));
    assertThatThrownBy(() -> await(deployed)).hasRootCauseInstanceOf(IllegalStateException.class)
        .rootCause().hasMessageContaining("not on a worker");
  }
}
