package io.dvr.agent.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.Dataplane;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.HostStateListing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RouterSyncRetryTest {

  @Test
  @DisplayName("a failed apply is retried with backoff until the host takes it, without any new event")
  void failedApplyIsRetried() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      // The control plane's answers on the bus: a MAC for the host and an (empty) router set.
      Bus.serve(vertx, EventAddresses.ALLOCATE_DVR_MAC, AllocateDvrMacRequest.parser(),
          r -> Future.succeededFuture(DvrHostMac.newBuilder().setHost(r.getHost()).setMacAddress("fa:16:3f:00:00:01").build()));
      Bus.serve(vertx, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest.parser(),
          r -> Future.succeededFuture(HostRouters.newBuilder().setHost(r.getHost()).build()));
      AtomicInteger attempts = new AtomicInteger();
      CompletableFuture<Integer> applied = new CompletableFuture<>();
      Dataplane flaky = new Dataplane() {
        @Override
        public Future<Integer> apply(HostRouters routers) {
          if (attempts.incrementAndGet() < 3) {
            return Future.failedFuture(new IllegalStateException("device busy"));
          }
          applied.complete(attempts.get());
          return Future.succeededFuture(0);
        }

        @Override
        public Future<HostStateListing> print(String namespace) {
          return Future.succeededFuture(HostStateListing.getDefaultInstance());
        }

        @Override
        public Set<String> wiredPorts() {
          return Set.of();
        }
      };
      RouterSync sync = new RouterSync(vertx, "compute1", "dvr", flaky, 5_000);
      sync.start(600_000);
      assertThat(applied.get(20, TimeUnit.SECONDS)).isEqualTo(3);
      sync.stop();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
