package io.dvr.common.grpc;

import io.dvr.common.Metrics;
import io.dvr.common.security.GrpcTls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.reflection.ReflectionService;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.Service;
import java.util.List;
import java.util.function.Supplier;

/**
 * One listening port per service: gRPC (the service's own API, {@code grpc.health.v1} and server
 * reflection, so grpcurl works) and, on plain HTTP/1.1 of the same port, {@code GET /healthz}
 * (liveness) and {@code GET /metrics} (Prometheus). Over TLS unless insecure ({@link GrpcTls}).
 */
public final class ServiceEndpoint {
  private ServiceEndpoint() {}

  /** Serves {@code services}; {@code meters} names the service's registry ({@link Metrics#service}). */
  public static Future<HttpServer> start(Vertx vertx, String meters, String host, int port, List<Service> services,
      Supplier<Future<Boolean>> ready, GrpcTls tls) {
    GrpcServerOptions options = new GrpcServerOptions();
    GrpcServer grpc = GrpcServer.server(vertx, options);
    HealthService health = HealthService.create(vertx);
    health.register("", ready);
    for (Service service : services) {
      grpc.addService(service);
      health.register(service.name(), ready);
    }
    ServerHealth.answerChecks(grpc, health, ready);
    grpc.addService(health);
    grpc.addService(ReflectionService.v1());
    GrpcIntake intake = GrpcIntake.of(grpc, grpc.services(), options.getMaxMessageSize(),
        Metrics.service(meters));
    io.vertx.core.Handler<HttpServerRequest> metrics = request -> vertx.<String>executeBlocking(() -> Metrics.scrape(meters), false)
        .onSuccess(text -> request.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(text))
        .onFailure(err -> request.response().setStatusCode(500).end());
    return vertx.createHttpServer(tls.server(new HttpServerOptions().setHost(host).setPort(port)))
        .requestHandler(request -> route(request, intake, metrics, ready))
        .listen();
  }

  private static void route(HttpServerRequest request, GrpcIntake grpc,
      io.vertx.core.Handler<HttpServerRequest> metrics, Supplier<Future<Boolean>> ready) {
    String type = request.getHeader("content-type");
    if (type != null && type.startsWith("application/grpc")) {
      grpc.handle(request);
      return;
    }
    switch (request.path()) {
      case "/metrics" -> metrics.handle(request);
      case "/healthz" -> ready.get().onComplete(res -> {
        boolean up = res.succeeded() && Boolean.TRUE.equals(res.result());
        request.response().setStatusCode(up ? 200 : 503)
            .putHeader("content-type", "text/plain").end(up ? "ok\n" : "not ready\n");
      });
      default -> request.response().setStatusCode(404).end();
    }
  }
}
