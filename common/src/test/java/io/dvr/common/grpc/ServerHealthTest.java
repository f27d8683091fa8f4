package io.dvr.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** grpc.health.v1 Watch on a real server port, as Kubernetes' gRPC probe or a service mesh watches it. */
class ServerHealthTest {
  static final ServiceMethod<HealthCheckResponse, HealthCheckRequest> WATCH = ServiceMethod.client(
      ServiceName.create("grpc.health.v1", "Health"), "Watch", GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));

  private final AtomicBoolean ready = new AtomicBoolean(true);
  private Vertx vertx;
  private HttpServer server;
  private GrpcClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = await(ServiceEndpoint.start(vertx, "test-endpoint", "127.0.0.1", 0, List.of(), () -> Future.succeededFuture(ready.get()), io.dvr.common.security.GrpcTls.off()));
    client = GrpcClient.client(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    await(client.close());
    await(vertx.close());
  }

  @Test
  @DisplayName("Watch on the whole server streams SERVING, NOT_SERVING when it stops being ready, SERVING again")
  void watchFollowsReadiness() throws Exception {
    BlockingQueue<ServingStatus> seen = new LinkedBlockingQueue<>();
    GrpcClientRequest<HealthCheckRequest, HealthCheckResponse> watch = watch("", seen);
    assertThat(next(seen)).isEqualTo(ServingStatus.SERVING);
    ready.set(false);
    assertThat(next(seen)).isEqualTo(ServingStatus.NOT_SERVING);
    ready.set(true);
    assertThat(next(seen)).isEqualTo(ServingStatus.SERVING);
    assertThat(ServerHealth.openWatches()).isEqualTo(1);

    watch.cancel();
    awaitNoWatch();
  }

  private static void awaitNoWatch() throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (ServerHealth.openWatches() != 0 && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(ServerHealth.openWatches()).as("Watch streams still open after their client went away").isZero();
  }

  @Test
  @DisplayName("a Watch whose client goes away without cancelling ends with its connection")
  void watchEndsWithItsConnection() throws Exception {
    BlockingQueue<ServingStatus> seen = new LinkedBlockingQueue<>();
    watch("", seen);
    assertThat(next(seen)).isEqualTo(ServingStatus.SERVING);
    assertThat(ServerHealth.openWatches()).isEqualTo(1);
    await(client.close());
    client = GrpcClient.client(vertx);
    awaitNoWatch();
  }

  @Test
  @DisplayName("Watch on a service the server does not have streams SERVICE_UNKNOWN")
  void watchUnknownService() throws Exception {
    BlockingQueue<ServingStatus> seen = new LinkedBlockingQueue<>();
    GrpcClientRequest<HealthCheckRequest, HealthCheckResponse> watch = watch("dvr.v1.NoSuchService", seen);
    assertThat(next(seen)).isEqualTo(ServingStatus.SERVICE_UNKNOWN);
    watch.cancel();
    awaitNoWatch();
  }

  private GrpcClientRequest<HealthCheckRequest, HealthCheckResponse> watch(String service,
      BlockingQueue<ServingStatus> seen) throws Exception {
    GrpcClientRequest<HealthCheckRequest, HealthCheckResponse> request =
        await(client.request(SocketAddress.inetSocketAddress(server.actualPort(), "127.0.0.1"), WATCH));
    request.response().onSuccess(response -> response.handler(msg -> seen.add(msg.getStatus())));
    request.end(HealthCheckRequest.newBuilder().setService(service).build());
    return request;
  }

  private static ServingStatus next(BlockingQueue<ServingStatus> seen) throws InterruptedException {
    ServingStatus status = seen.poll(10, TimeUnit.SECONDS);
    assertThat(status).as("a status within 10 s").isNotNull();
    return status;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
