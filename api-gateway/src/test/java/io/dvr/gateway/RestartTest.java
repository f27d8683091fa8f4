package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.GetFloatingIpRequest;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartTest {
  @TempDir Path dataDir;

  @Test
  @DisplayName("after a restart on the same data directory everything is still there and undelivered events are delivered")
  void restartKeepsStateAndDeliversPendingEvents() throws Exception {
    Path pg = dataDir.resolve("pg");
    SeedTopology seed;
    Router before;
    // First life: the relay is off and writers do not publish, as if the process died after each commit
    // and before publishing.
    try (GatewayFixture first = GatewayFixture.start(pg, Map.of("outbox.relay-enabled", "false",
        "outbox.publish-after-commit", "false"))) {
      seed = SeedTopology.build(first);
      before = first.call(RouterServiceGrpcClient.GetRouter, GetRouterRequest.newBuilder().setId(SeedTopology.ROUTER_ID).build());
    }

    Vertx vertx = Vertx.vertx();
    Set<String> created = ConcurrentHashMap.newKeySet();
    Set<String> expected = Set.of(seed.ext.getId(), seed.net1.getId(), seed.sub81.getId(), seed.vm1.getId(),
        seed.vm2.getId(), seed.fip.getId(), SeedTopology.ROUTER_ID);
    Promise<Void> allDelivered = Promise.promise();
    vertx.eventBus().<Buffer>consumer(EventAddresses.RESOURCE_CHANGED, msg -> {
      try {
        ResourceChanged event = ResourceChanged.parseFrom(msg.body().getBytes());
        assertThat(msg.headers().get(EventAddresses.RESOURCE_TYPE_HEADER)).isEqualTo(event.getResourceType().name());
        if (event.getKind() == ChangeKind.CHANGE_KIND_CREATED) {
          created.add(event.getResourceId());
        }
        if (event.getResourceType() == ResourceType.RESOURCE_TYPE_PORT && event.getResourceId().equals(seed.vm1.getId())) {
          assertThat(event.getNetworkId()).isEqualTo(seed.net1.getId());
          assertThat(event.getHostsList()).containsExactly("compute1");
          assertThat(event.getRouterIdsList()).containsExactly(SeedTopology.ROUTER_ID);
        }
        if (created.containsAll(expected)) {
          allDelivered.tryComplete();
        }
      } catch (Throwable t) {
        allDelivered.tryFail(t);
      }
    });

    try (GatewayFixture second = GatewayFixture.start(vertx, pg, Map.of())) {
      Router after = second.call(RouterServiceGrpcClient.GetRouter,
          GetRouterRequest.newBuilder().setId(SeedTopology.ROUTER_ID).build());
      assertThat(after).isEqualTo(before);
      assertThat(second.call(PortServiceGrpcClient.GetPort, GetPortRequest.newBuilder().setId(seed.vm2.getId()).build()))
          .isEqualTo(seed.vm2);
      assertThat(second.call(FloatingIpServiceGrpcClient.GetFloatingIp,
          GetFloatingIpRequest.newBuilder().setId(seed.fip.getId()).build())).isEqualTo(seed.fip);

      GatewayFixture.await(allDelivered.future());
      List<Long> pending = GatewayFixture.await(second.gateway.database().pool()
          .query("SELECT count(*) FROM outbox WHERE published_at IS NULL").execute().map(rows -> List.of(rows.iterator().next().getLong(0))));
      assertThat(pending).containsExactly(0L);
    }
  }
}
