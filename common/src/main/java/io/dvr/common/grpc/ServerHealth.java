package io.dvr.common.grpc;

import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.vertx.grpc.server.GrpcServer;
import java.util.function.Supplier;

/**
 * grpc.health.v1 Check for a whole server: vertx-grpc-health answers SERVING to the empty service
 * name whatever its registered check says, so a server whose database is gone would look healthy
 * to a load balancer. This Check asks the server's readiness for "" and the health service's
 * registered checks for a named service (NOT_FOUND for an unknown one, as the protocol says).
 */
final class ServerHealth {
  static final ServiceMethod<HealthCheckRequest, HealthCheckResponse> CHECK = ServiceMethod.server(
      ServiceName.create("grpc.health.v1", "Health"), "Check", GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.decoder(HealthCheckRequest.newBuilder()));

  private ServerHealth() {}

  /** Must run before the health service is added: the first Check handler of a server takes the calls. */
  static void answerChecks(GrpcServer grpc, HealthService health, Supplier<Future<Boolean>> ready) {
    grpc.callHandler(CHECK, call -> call.handler(request -> {
      String service = request.getService();
      Future<Boolean> up = service.isEmpty() ? ready.get().otherwise(false) : health.checkStatus(service);
      up.onComplete(res -> {
        if (res.failed()) {
          call.response().status(GrpcStatus.NOT_FOUND).end();
          return;
        }
        call.response().end(HealthCheckResponse.newBuilder()
            .setStatus(res.result() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING).build());
      });
    }));
  }
}
