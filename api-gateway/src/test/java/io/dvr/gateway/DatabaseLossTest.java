package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.VertxBootstrap;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.config.Settings;
import io.dvr.common.grpc.RpcFailure;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.GetNetworkRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.ResourceChanged;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * api-gateway on a PostgreSQL of its own (external, as db.url), which is killed and later started
 * again on the same data: while it is gone, calls get UNAVAILABLE in plain words and the server's
 * health is NOT_SERVING; once it is back, the gateway serves again by itself and its outbox relay
 * publishes again.
 */
class DatabaseLossTest {
  @TempDir Path dir;

  @Test
  @Timeout(180)
  @DisplayName("database killed: UNAVAILABLE with a plain message and NOT_SERVING; started again: SERVING, calls and events flow")
  void lossAndReturn() throws Exception {
    try (PostgresProcess pg = PostgresProcess.start(dir)) {
      Vertx vertx = ApiClient.await(VertxBootstrap.start(Settings.of(Map.of())));
      Set<String> published = ConcurrentHashMap.newKeySet();
      vertx.eventBus().<Buffer>consumer(EventAddresses.RESOURCE_CHANGED,
          msg -> published.add(parse(msg.body()).getResourceId()));
      try (GatewayFixture gw = GatewayFixture.start(vertx, dir.resolve("unused"),
          Map.of("db.url", pg.url(), "db.probe-ms", "200"))) {
        Network before = gw.call(NetworkServiceGrpcClient.CreateNetwork, network("before"));
        assertThat(health(gw, "")).isEqualTo(ServingStatus.SERVING);

        pg.kill();

        RpcFailure failure = gw.fail(NetworkServiceGrpcClient.CreateNetwork, network("during"));
        assertThat(failure.status()).as(failure.getMessage()).isEqualTo(GrpcStatus.UNAVAILABLE);
        assertThat(failure.detail()).isEqualTo("the database is unavailable; retry later");
        RpcFailure read = gw.fail(NetworkServiceGrpcClient.GetNetwork,
            GetNetworkRequest.newBuilder().setId(before.getId()).build());
        assertThat(read.status()).as(read.getMessage()).isEqualTo(GrpcStatus.UNAVAILABLE);
        assertThat(read.detail()).doesNotContain("Exception", "127.0.0.1", String.valueOf(pg.port()));
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          assertThat(health(gw, "")).isEqualTo(ServingStatus.NOT_SERVING);
          assertThat(health(gw, "dvr.v1.NetworkService")).isEqualTo(ServingStatus.NOT_SERVING);
        });

        pg.start();

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          assertThat(health(gw, "")).isEqualTo(ServingStatus.SERVING);
          assertThat(health(gw, "dvr.v1.NetworkService")).isEqualTo(ServingStatus.SERVING);
        });
        assertThat(gw.call(NetworkServiceGrpcClient.GetNetwork,
            GetNetworkRequest.newBuilder().setId(before.getId()).build())).isEqualTo(before);
        Network after = gw.call(NetworkServiceGrpcClient.CreateNetwork, network("after"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(published).as("events published by the outbox relay").contains(before.getId(), after.getId()));
      }
    }
  }

  static CreateNetworkRequest network(String name) {
    return CreateNetworkRequest.newBuilder().setName(name).build();
  }

  static ResourceChanged parse(Buffer body) {
    try {
      return ResourceChanged.parseFrom(body.getBytes());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static ServingStatus health(GatewayFixture gw, String service) {
    return HealthClient.check(gw.vertx, gw.port(), service);
  }
}
