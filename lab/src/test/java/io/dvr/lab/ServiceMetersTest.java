package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.security.SecurityMaterial;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.TestSecurity;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In the all-in-one lab every service shares one JVM, yet each port's /metrics shows its own
 * service's meters (its RPCs, its DVR meters) beside the process's (JVM, Vert.x, bus): Prometheus
 * scraping the lab sees each service as it would see it in a process of its own.
 */
@DisplayName("each lab port's /metrics shows its own service's meters, not those of the services beside it")
class ServiceMetersTest {
  @TempDir static Path dataDir;
  static LabFixture fx;
  static HttpClient http;

  @BeforeAll
  static void start() {
    fx = LabFixture.start(dataDir, Map.of("scheduler.meters-seconds", "1", "convergence.meters-seconds", "1"));
    http = fx.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustOptions(
        new PemTrustOptions().addCertPath(TestSecurity.dir().resolve(SecurityMaterial.CA_CERT).toString())));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static String metrics(int port) {
    return ApiClient.await(http.request(HttpMethod.GET, port, "localhost", "/metrics")
        .compose(req -> req.send()).compose(resp -> resp.body()).map(Object::toString));
  }

  @Test
  @DisplayName("api-gateway's port: its RPCs and convergence meters; scheduler-svc's: agents alive; an agent's: its own applies")
  void eachPortItsOwnService() {
    fx.api.call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.getDefaultInstance());
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String api = metrics(fx.lab.apiPort());
      assertThat(api).contains("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"ListNetworks\"",
          "dvr_hosts_out_of_sync", "jvm_memory_used_bytes");
      assertThat(api).doesNotContain("dvr_agents_alive", "dvr_snat_routers", "dvr_agent_apply_seconds",
          "grpc_service=\"dvr.v1.SchedulerService\"");

      String scheduler = metrics(fx.lab.schedulerPort());
      assertThat(scheduler).contains("dvr_agents_alive", "jvm_memory_used_bytes");
      assertThat(scheduler).doesNotContain("dvr_hosts_out_of_sync", "dvr_subnet_ips", "dvr_agent_apply_seconds",
          "grpc_method=\"ListNetworks\"");

      String compute1 = metrics(fx.lab.agent("compute1").port());
      assertThat(compute1).contains("dvr_agent_apply_seconds_count{host=\"compute1\"");
      assertThat(compute1).doesNotContain("host=\"compute2\"", "host=\"network\"", "dvr_agents_alive",
          "dvr_hosts_out_of_sync");
    });
  }
}
