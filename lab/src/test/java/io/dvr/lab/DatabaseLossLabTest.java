package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.gateway.HealthClient;
import io.dvr.gateway.PostgresProcess;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.GetNetworkRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab losing its database. On its embedded PostgreSQL it starts the server again itself; on an
 * external one every control-plane server says NOT_SERVING while it is gone and serves again once
 * it is back, without a restart of the lab.
 */
class DatabaseLossLabTest {
  @TempDir Path dir;

  @Test
  @Timeout(180)
  @DisplayName("the embedded PostgreSQL killed with SIGKILL: the lab starts it again on its data and serves again")
  void embeddedDatabaseIsStartedAgain() throws Exception {
    Map<String, Integer> ports = servicePorts();
    Path dataDir = dir.resolve("pg");
    try (LabFixture lab = LabFixture.start(dataDir, settings(ports, Map.of("db.probe-ms", "200")))) {
      Network before = lab.api.call(NetworkServiceGrpcClient.CreateNetwork, network("before"));
      long killed = PostgresProcess.postmasterPid(dataDir);

      PostgresProcess.killPostmaster(dataDir);

      // postmaster.pid is missing for a moment while the server starts again: look again then.
      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .ignoreException(java.io.UncheckedIOException.class).untilAsserted(() -> {
        assertThat(PostgresProcess.postmasterPid(dataDir)).as("a new postmaster").isNotEqualTo(killed);
        for (int port : ports.values()) {
          assertThat(HealthClient.check(lab.vertx, port, "")).as("health on port " + port)
              .isEqualTo(ServingStatus.SERVING);
        }
        lab.api.call(NetworkServiceGrpcClient.CreateNetwork, network("after"));
      });
      assertThat(lab.api.call(NetworkServiceGrpcClient.GetNetwork,
          GetNetworkRequest.newBuilder().setId(before.getId()).build())).isEqualTo(before);
      lab.awaitConverged(Duration.ofSeconds(30));
    }
  }

  @Test
  @Timeout(180)
  @DisplayName("an external PostgreSQL killed: every control-plane server NOT_SERVING; started again: all SERVING and the API answers")
  void externalDatabaseIsWaitedFor() throws Exception {
    Map<String, Integer> ports = servicePorts();
    try (PostgresProcess pg = PostgresProcess.start(dir);
        LabFixture lab = LabFixture.start(dir.resolve("unused"),
            settings(ports, Map.of("db.url", pg.url(), "db.probe-ms", "200")))) {
      Network before = lab.api.call(NetworkServiceGrpcClient.CreateNetwork, network("before"));

      pg.kill();

      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        for (Map.Entry<String, Integer> server : ports.entrySet()) {
          assertThat(HealthClient.check(lab.vertx, server.getValue(), "")).as(server.getKey())
              .isEqualTo(ServingStatus.NOT_SERVING);
        }
      });
      for (String host : List.of("network", "compute1")) {
        // The agents need no database: they keep serving their hosts.
        assertThat(HealthClient.check(lab.vertx, lab.lab.agent(host).port(), "")).as(host)
            .isEqualTo(ServingStatus.SERVING);
      }

      pg.start();

      Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        for (Map.Entry<String, Integer> server : ports.entrySet()) {
          assertThat(HealthClient.check(lab.vertx, server.getValue(), "")).as(server.getKey())
              .isEqualTo(ServingStatus.SERVING);
        }
      });
      lab.api.call(NetworkServiceGrpcClient.CreateNetwork, network("after"));
      assertThat(lab.api.call(NetworkServiceGrpcClient.GetNetwork,
          GetNetworkRequest.newBuilder().setId(before.getId()).build())).isEqualTo(before);
      lab.awaitConverged(Duration.ofSeconds(30));
    }
  }

  private static Map<String, Integer> servicePorts() throws Exception {
    return Map.of("api", ServiceLifecycleTest.freePort(), "scheduler", ServiceLifecycleTest.freePort(),
        "mac-allocator", ServiceLifecycleTest.freePort(), "arp", ServiceLifecycleTest.freePort());
  }

  private static Map<String, String> settings(Map<String, Integer> ports, Map<String, String> extra) {
    Map<String, String> values = new HashMap<>(extra);
    ports.forEach((service, port) -> {
      values.put(service + ".host", "127.0.0.1");
      values.put(service + ".port", String.valueOf(port));
    });
    return values;
  }

  private static CreateNetworkRequest network(String name) {
    return CreateNetworkRequest.newBuilder().setName(name).build();
  }
}
