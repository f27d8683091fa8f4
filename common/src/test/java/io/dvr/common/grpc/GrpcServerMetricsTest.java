package io.dvr.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.MacAllocatorServiceGrpcClient;
import io.dvr.proto.v1.MacAllocatorServiceGrpcService;
import io.dvr.proto.v1.MacAllocatorServiceService;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The grpc-ecosystem server meters on a real endpoint, read from its /metrics as Prometheus scrapes them. */
class GrpcServerMetricsTest {
  private static final String LABELS = "grpc_method=\"AllocateDvrMac\",grpc_service=\"dvr.v1.MacAllocatorService\","
      + "grpc_type=\"unary\"";
  private Vertx vertx;
  private HttpServer server;
  private GrpcClient client;
  private HttpClient http;

  /** Answers a host named "bad" with INVALID_ARGUMENT, any other with a MAC. */
  static final class Allocator extends MacAllocatorServiceService {
    @Override
    public Future<DvrHostMac> allocateDvrMac(AllocateDvrMacRequest request) {
      if (request.getHost().equals("bad")) {
        return Future.failedFuture(new io.vertx.grpc.server.StatusException(GrpcStatus.INVALID_ARGUMENT, "host bad"));
      }
      return Future.succeededFuture(DvrHostMac.newBuilder().setHost(request.getHost()).build());
    }
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = await(ServiceEndpoint.start(vertx, "test-endpoint", "127.0.0.1", 0, List.of(MacAllocatorServiceGrpcService.of(new Allocator())),
        () -> Future.succeededFuture(true), io.dvr.common.security.GrpcTls.off()));
    client = GrpcClient.client(vertx);
    http = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
        .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  @DisplayName("started, handled by status code and a handling-time histogram per method, under the grpc-ecosystem names")
  void perRpcMeters() throws Exception {
    String before = scrape();
    call("c1");
    call("c2");
    assertThat(call("bad")).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    String after = scrape();
    assertThat(delta(before, after, "grpc_server_started_total{" + LABELS))
        .as(after.lines().filter(l -> l.startsWith("grpc_server_st")).toList().toString()).isEqualTo(3);
    assertThat(delta(before, after, "grpc_server_handled_total{grpc_code=\"OK\"," + LABELS)).isEqualTo(2);
    assertThat(delta(before, after, "grpc_server_handled_total{grpc_code=\"INVALID_ARGUMENT\"," + LABELS)).isEqualTo(1);
    assertThat(delta(before, after, "grpc_server_handling_seconds_count{" + LABELS)).isEqualTo(3);
    assertThat(after).contains("# TYPE grpc_server_handling_seconds histogram")
        .contains("grpc_server_handling_seconds_bucket{" + LABELS + ",le=\"0.005\"}");
  }

  @Test
  @DisplayName("a path that is no method of the endpoint counts as unknown, not as a label of its own")
  void unknownPath() throws Exception {
    String before = scrape();
    int status = await(http.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", "/no.Such/Method" + System.nanoTime())
        .compose(req -> req.putHeader("content-type", "application/grpc").send())
        .map(resp -> resp.statusCode()));
    assertThat(status).isEqualTo(200);
    String after = scrape();
    assertThat(delta(before, after,
        "grpc_server_started_total{grpc_method=\"unknown\",grpc_service=\"unknown\",grpc_type=\"unary\"")).isEqualTo(1);
    assertThat(after).doesNotContain("no.Such");
  }

  private GrpcStatus call(String host) throws Exception {
    try {
      await(Unary.call(client, SocketAddress.inetSocketAddress(server.actualPort(), "127.0.0.1"),
          MacAllocatorServiceGrpcClient.AllocateDvrMac, AllocateDvrMacRequest.newBuilder().setHost(host).build(), 5000));
      return GrpcStatus.OK;
    } catch (java.util.concurrent.ExecutionException e) {
      return ((RpcFailure) e.getCause()).status();
    }
  }

  private String scrape() throws Exception {
    return await(http.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/metrics")
        .compose(req -> req.send().compose(resp -> resp.body())).map(b -> b.toString()));
  }

  private static double delta(String before, String after, String series) {
    return value(after, series) - value(before, series);
  }

  /** The value of the series whose name and labels start with {@code series}; 0 when absent. */
  private static double value(String text, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + "[^}]*} (\\S+)$", Pattern.MULTILINE).matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
