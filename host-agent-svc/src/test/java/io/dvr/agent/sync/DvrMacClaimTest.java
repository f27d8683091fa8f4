package io.dvr.agent.sync;

import static io.dvr.agent.sync.SyncTesting.on;
import static io.dvr.agent.sync.SyncTesting.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.sync.DvrMacClaim.Held;
import io.dvr.agent.sync.DvrMacClaim.Stopped;
import io.dvr.agent.sync.DvrMacClaim.WaitingToRetry;
import io.dvr.agent.sync.SyncTesting.Answers;
import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.dvr.proto.v1.DvrHostMac;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class DvrMacClaimTest {
  private final Answers<AllocateDvrMacRequest, DvrHostMac> allocator = new Answers<>();

  @Test
  @DisplayName("the DVR MAC is asked for again after each failure until it is allocated")
  void retriedUntilAllocated(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    DvrMacClaim claim = new DvrMacClaim(ctx, allocator, 5);
    Future<String> mac = on(ctx, claim::claim);
    for (int i = 0; i < 3; i++) {
      var failing = allocator.next();
      assertThat(failing.request().getHost()).isEqualTo(SyncTesting.HOST);
      assertThat(on(ctx, () -> {
        failing.reply().fail("mac-allocator-svc away");
        return claim.state();
      })).isInstanceOf(WaitingToRetry.class);
    }
    var answered = allocator.next();
    run(ctx, () -> answered.reply().complete(
        DvrHostMac.newBuilder().setHost(SyncTesting.HOST).setMacAddress("fa:16:3f:00:00:01").build()));
    assertThat(SyncTesting.await(mac)).isEqualTo("fa:16:3f:00:00:01");
    assertThat(on(ctx, claim::state)).isEqualTo(new Held("fa:16:3f:00:00:01"));
    assertThat(on(ctx, claim::claim).result()).as("claimed once").isEqualTo("fa:16:3f:00:00:01");
    assertThat(allocator.none()).isTrue();
  }

  @Test
  @DisplayName("after stop the MAC is not asked for again")
  void stopped(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    DvrMacClaim claim = new DvrMacClaim(ctx, allocator, 600_000);
    run(ctx, claim::claim);
    var failing = allocator.next();
    run(ctx, () -> failing.reply().fail("away"));
    run(ctx, claim::stop);
    assertThat(on(ctx, claim::state)).isEqualTo(new Stopped());
    assertThat(allocator.none()).isTrue();
  }
}
