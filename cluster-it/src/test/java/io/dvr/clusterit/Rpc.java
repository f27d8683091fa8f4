package io.dvr.clusterit;

import io.dvr.common.grpc.Unary;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.TestSecurity;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import java.util.concurrent.TimeUnit;

/** The test JVM's gRPC side: a plain (not clustered) Vert.x speaking to the processes' ports. */
final class Rpc implements AutoCloseable {
  /** grpc.health.v1.Health/Check: vertx-grpc-health ships the messages but no client stub. */
  static final ServiceMethod<HealthCheckResponse, HealthCheckRequest> HEALTH_CHECK = ServiceMethod.client(
      ServiceName.create("grpc.health.v1", "Health"), "Check", GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));

  final Vertx vertx = Vertx.vertx();
  private final GrpcClient client = TestSecurity.user().newClient(vertx);

  /** The API as the holder of {@code token}. */
  ApiClient api(int port, String token) {
    return new ApiClient(vertx, port, token);
  }

  /** A unary call to any service port, with its own deadline. */
  <Q, R> R call(int port, ServiceMethod<R, Q> method, Q request, long timeoutMillis) {
    try {
      return Unary.call(client, SocketAddress.inetSocketAddress(port, "127.0.0.1"), method, request, timeoutMillis)
          .toCompletionStage().toCompletableFuture().get(timeoutMillis + 2_000, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(method.methodName() + " on port " + port + ": " + e, e);
    }
  }

  /** Whether the port answers grpc.health.v1 with SERVING (the API: only while its database answers). */
  boolean serving(int port) {
    try {
      return call(port, HEALTH_CHECK, HealthCheckRequest.getDefaultInstance(), 2_000).getStatus()
          == HealthCheckResponse.ServingStatus.SERVING;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    client.close();
    ApiClient.await(vertx.close());
  }
}
