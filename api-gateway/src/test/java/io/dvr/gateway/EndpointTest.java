package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.reflection.v1.ServerReflectionRequest;
import io.vertx.grpc.reflection.v1.ServerReflectionResponse;
import io.vertx.grpc.reflection.v1.ServiceResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What stock tools need: grpc.health.v1, server reflection, /healthz and Prometheus /metrics on the API port. */
class EndpointTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private SocketAddress address() {
    return SocketAddress.inetSocketAddress(gw.port(), "127.0.0.1");
  }

  @Test
  @DisplayName("grpc.health.v1 reports the API services as SERVING")
  void health() {
    ServiceMethod<HealthCheckResponse, HealthCheckRequest> check = ServiceMethod.client(
        ServiceName.create("grpc.health.v1", "Health"), "Check", GrpcMessageEncoder.encoder(),
        GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));
    GrpcClient client = TestSecurity.user().newClient(gw.vertx);
    for (String service : new String[] {"", "dvr.v1.PortService", "dvr.v1.RouterService"}) {
      HealthCheckResponse resp = GatewayFixture.await(client.request(address(), check)
          .compose(req -> req.send(HealthCheckRequest.newBuilder().setService(service).build()))
          .compose(r -> r.last()));
      assertThat(resp.getStatus()).as(service).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }
  }

  @Test
  @DisplayName("server reflection lists every dvr.v1 service, as grpcurl list would")
  void reflection() {
    ServiceMethod<ServerReflectionResponse, ServerReflectionRequest> info = ServiceMethod.client(
        ServiceName.create("grpc.reflection.v1", "ServerReflection"), "ServerReflectionInfo",
        GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(ServerReflectionResponse.newBuilder()));
    GrpcClient client = TestSecurity.user().newClient(gw.vertx);
    ServerReflectionResponse resp = GatewayFixture.await(client.request(address(), info)
        .compose(req -> req.send(ServerReflectionRequest.newBuilder().setListServices("*").build()))
        .compose(r -> r.last()));
    assertThat(resp.getListServicesResponse().getServiceList()).extracting(ServiceResponse::getName)
        .contains("dvr.v1.NetworkService", "dvr.v1.SubnetService", "dvr.v1.RouterService", "dvr.v1.PortService",
            "dvr.v1.FloatingIpService", "dvr.v1.AgentService", "grpc.health.v1.Health");
  }

  @Test
  @DisplayName("GET /healthz is 200 ok and GET /metrics serves Prometheus text with the gRPC requests counted")
  void httpEndpoints() {
    // The same port, so HTTPS trusting the CA (as a Prometheus scrape with its ca_file would).
    var http = gw.vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setSsl(true)
        .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(
            TestSecurity.dir().resolve(io.dvr.common.security.SecurityMaterial.CA_CERT).toString())));
    String health = GatewayFixture.await(http.request(HttpMethod.GET, gw.port(), "127.0.0.1", "/healthz")
        .compose(req -> req.send()).compose(resp -> {
          assertThat(resp.statusCode()).isEqualTo(200);
          return resp.body();
        }).map(Buffer::toString));
    assertThat(health).isEqualTo("ok\n");
    String metrics = GatewayFixture.await(http.request(HttpMethod.GET, gw.port(), "127.0.0.1", "/metrics")
        .compose(req -> req.send()).compose(resp -> resp.body()).map(Buffer::toString));
    assertThat(metrics).contains("# TYPE").contains("vertx_http_server_requests_total");
  }
}
