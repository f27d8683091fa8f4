package io.dvr.common.grpc;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
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
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * grpc.health.v1 Check and Watch for a whole server: vertx-grpc-health answers SERVING to the empty
 * service name whatever its registered check says, so a server whose database is gone would look
 * healthy to a load balancer. These ask the server's readiness for "" and the health service's
 * registered checks for a named service. As the protocol says, Check answers NOT_FOUND for an
 * unknown service and Watch streams SERVICE_UNKNOWN; Watch sends the status at once and then each
 * change, looked at every {@link #WATCH_PERIOD_MS} ms, until the client cancels.
 */
final class ServerHealth {
  static final ServiceMethod<HealthCheckRequest, HealthCheckResponse> CHECK = ServiceMethod.server(
      ServiceName.create("grpc.health.v1", "Health"), "Check", GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.decoder(HealthCheckRequest.newBuilder()));

  static final ServiceMethod<HealthCheckRequest, HealthCheckResponse> WATCH = ServiceMethod.server(
      ServiceName.create("grpc.health.v1", "Health"), "Watch", GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.decoder(HealthCheckRequest.newBuilder()));
  static final long WATCH_PERIOD_MS = 1000;
  private static final AtomicInteger OPEN_WATCHES = new AtomicInteger();
  /** Watches by connection: a client that goes away without cancelling ends them with its connection. */
  private static final Map<HttpConnection, Set<Watch>> WATCHES = new ConcurrentHashMap<>();

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
    grpc.callHandler(WATCH, call -> call.handler(request -> {
      Supplier<Future<ServingStatus>> status = () -> {
        String service = request.getService();
        Future<Boolean> up = service.isEmpty() ? ready.get().otherwise(false) : health.checkStatus(service);
        return up.map(serving -> serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING)
            .otherwise(ServingStatus.SERVICE_UNKNOWN);
      };
      new Watch(Vertx.currentContext().owner(), call.connection(), call.response(), status).start(call);
    }));
  }

  /** Watch streams open in this process (each holds a timer until it ends). */
  static int openWatches() {
    return OPEN_WATCHES.get();
  }

  /** One Watch stream: the status now, then each change. */
  private static final class Watch {
    private final Vertx vertx;
    private final HttpConnection connection;
    private final GrpcServerResponse<HealthCheckRequest, HealthCheckResponse> response;
    private final Supplier<Future<ServingStatus>> status;
    private ServingStatus sent;
    private long timer = -1;
    private boolean ended;

    Watch(Vertx vertx, HttpConnection connection, GrpcServerResponse<HealthCheckRequest, HealthCheckResponse> response,
        Supplier<Future<ServingStatus>> status) {
      this.vertx = vertx;
      this.connection = connection;
      this.response = response;
      this.status = status;
    }

    void start(GrpcServerRequest<HealthCheckRequest, HealthCheckResponse> call) {
      // A cancel or reset reaches the call as a gRPC error, a closed connection as an exception.
      call.errorHandler(error -> end());
      call.exceptionHandler(err -> end());
      WATCHES.computeIfAbsent(connection, c -> {
        c.closeHandler(v -> {
          Set<Watch> open = WATCHES.remove(c);
          if (open != null) {
            List.copyOf(open).forEach(Watch::end);
          }
        });
        return ConcurrentHashMap.newKeySet();
      }).add(this);
      OPEN_WATCHES.incrementAndGet();
      look();
      timer = vertx.setPeriodic(WATCH_PERIOD_MS, id -> look());
    }

    private void look() {
      status.get().onSuccess(now -> {
        if (!ended && now != sent) {
          sent = now;
          response.write(HealthCheckResponse.newBuilder().setStatus(now).build()).onFailure(err -> end());
        }
      });
    }

    private void end() {
      if (ended) {
        return;
      }
      OPEN_WATCHES.decrementAndGet();
      ended = true;
      Set<Watch> open = WATCHES.get(connection);
      if (open != null) {
        open.remove(this);
      }
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
