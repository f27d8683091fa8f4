package io.dvr.common.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostRouters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InFlightRequestsTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("after a member left, a waiting request whose repeat still reached the lost member (its registration not yet gone here) is sent again a moment later and answered")
  void laterRepeatReachesTheLiveInstance() throws Exception {
    AtomicInteger taken = new AtomicInteger();
    MessageConsumer<Buffer> lost = Bus.serve(vertx, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest.parser(),
        req -> {
          taken.incrementAndGet();
          return Promise.<HostRouters>promise().future();
        });
    lost.completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Future<HostRouters> answer = Bus.request(vertx, EventAddresses.GET_HOST_ROUTERS,
        GetHostRoutersRequest.newBuilder().setHost("c1").build(), HostRouters.parser(), 30_000);
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> taken.get() == 1);

    InFlightRequests.of(vertx).memberLeft();
    // The immediate repeat goes where the first went: the registration this instance still has.
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> taken.get() == 2);
    lost.unregister().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Bus.serve(vertx, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest.parser(),
        req -> Future.succeededFuture(HostRouters.newBuilder().setHost(req.getHost() + " from the live one").build()))
        .completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    HostRouters reply = answer.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(reply.getHost()).isEqualTo("c1 from the live one");
    assertThat(InFlightRequests.of(vertx).size()).isZero();
  }
}
