package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.render.Names;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiClient;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedFlagTest {
  @TempDir Path dataDir;

  @Test
  @DisplayName("lab.seed=true loads the seed's topology once, and the three hosts render it")
  void seedFlag() {
    try (LabFixture fx = LabFixture.start(dataDir.resolve("pg"), Map.of())) {
      Settings seed = Settings.of(Map.of("lab.seed", "true"));
      ApiClient.await(AllInOne.seedIfAsked(fx.vertx, seed, fx.lab));
      ApiClient.await(AllInOne.seedIfAsked(fx.vertx, seed, fx.lab));
      Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(fx.api.call(RouterServiceGrpcClient.ListRouterHosts, ListRouterHostsRequest.newBuilder()
            .setRouterId(SeedLoader.ROUTER_ID).build()).getHostsList()).extracting(RouterHost::getHost)
            .containsExactly("compute1", "compute2", "network");
        assertThat(fx.host("compute1").ipNetns()).contains(Names.fipNamespace(SeedLoader.EXT_NET_ID));
        assertThat(fx.host("network").ipRoute(Names.snatNamespace(SeedLoader.ROUTER_ID)))
            .contains("default via 192.168.1.1");
      });
      fx.awaitConverged();
    }
  }
}
