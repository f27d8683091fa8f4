package io.dvr.gateway;

import io.dvr.common.grpc.Unary;
import io.dvr.common.security.GrpcTls;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;

/** grpc.health.v1 Check over a real socket, as a load balancer or grpc_health_probe asks it. */
public final class HealthClient {
  /** vertx-grpc-health ships the messages but no client stub. */
  static final ServiceMethod<HealthCheckResponse, HealthCheckRequest> CHECK = ServiceMethod.client(
      ServiceName.create("grpc.health.v1", "Health"), "Check", GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));

  private HealthClient() {}

  /** The status of one service name ("" for the whole server), with a 5 s deadline. */
  public static ServingStatus check(Vertx vertx, int port, String service) {
    return check(vertx, port, service, TestSecurity.user());
  }

  public static ServingStatus check(Vertx vertx, int port, String service, GrpcTls tls) {
    GrpcClient client = tls.newClient(vertx);
    try {
      return ApiClient.await(Unary.call(client, SocketAddress.inetSocketAddress(port, "127.0.0.1"), CHECK,
          HealthCheckRequest.newBuilder().setService(service).build(), 5_000)).getStatus();
    } finally {
      client.close();
    }
  }
}
