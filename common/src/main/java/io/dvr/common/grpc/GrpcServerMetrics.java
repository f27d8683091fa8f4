package io.dvr.common.grpc;

import com.google.protobuf.Descriptors.MethodDescriptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-RPC server meters with the names and labels of the grpc-ecosystem Prometheus interceptors,
 * so their dashboards and alerts work: {@code grpc_server_started_total},
 * {@code grpc_server_handled_total{grpc_code}} and the {@code grpc_server_handling_seconds}
 * histogram, each with {@code grpc_service}, {@code grpc_method} and {@code grpc_type}. A path that
 * is no method of the endpoint counts as service and method "unknown" (a client cannot grow the
 * label set).
 */
final class GrpcServerMetrics {
  private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
  private static final Rpc UNKNOWN = new Rpc("unknown", "unknown", "unary");

  private final MeterRegistry registry;
  private final Map<String, Rpc> rpcs;
  private final Map<Rpc, Timer> timers = new ConcurrentHashMap<>();
  private final Map<Rpc, Counter> started = new ConcurrentHashMap<>();
  private final Map<Rpc, Map<String, Counter>> handled = new ConcurrentHashMap<>();

  /** One RPC's labels. */
  record Rpc(String service, String method, String type) {
    static Rpc of(MethodDescriptor method) {
      String type = method.isClientStreaming()
          ? (method.isServerStreaming() ? "bidi_stream" : "client_stream")
          : (method.isServerStreaming() ? "server_stream" : "unary");
      return new Rpc(method.getService().getFullName(), method.getName(), type);
    }
  }

  /** {@code rpcs}: the endpoint's methods by request path ("/dvr.v1.NetworkService/CreateNetwork"). */
  GrpcServerMetrics(MeterRegistry registry, Map<String, Rpc> rpcs) {
    this.registry = registry;
    this.rpcs = Map.copyOf(rpcs);
  }

  /** Counts the call now and its status when its response ends (CANCELLED when the stream is reset first). */
  void observe(HttpServerRequest request) {
    Rpc rpc = rpcs.getOrDefault(request.path(), UNKNOWN);
    // Meters are looked up once per method (and code), not registered again on every call.
    started.computeIfAbsent(rpc, r -> Counter.builder("grpc.server.started").description("RPCs started on the server")
        .tags("grpc_service", r.service(), "grpc_method", r.method(), "grpc_type", r.type())
        .register(registry)).increment();
    long start = System.nanoTime();
    HttpServerResponse response = request.response();
    boolean[] counted = {false};
    response.endHandler(v -> {
      counted[0] = true;
      handled(rpc, code(response), start);
    });
    response.closeHandler(v -> {
      if (!counted[0]) {
        counted[0] = true;
        handled(rpc, "CANCELLED", start);
      }
    });
  }

  private void handled(Rpc rpc, String code, long startNanos) {
    handled.computeIfAbsent(rpc, r -> new ConcurrentHashMap<>()).computeIfAbsent(code, c ->
        Counter.builder("grpc.server.handled").description("RPCs completed on the server, by status code")
            .tags("grpc_service", rpc.service(), "grpc_method", rpc.method(), "grpc_type", rpc.type(), "grpc_code", c)
            .register(registry)).increment();
    timers.computeIfAbsent(rpc, r -> Timer.builder("grpc.server.handling")
            .description("time from the start of an RPC to the end of its response")
            .tags("grpc_service", r.service(), "grpc_method", r.method(), "grpc_type", r.type())
            .serviceLevelObjectives(BUCKETS)
            .register(registry))
        .record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** The status name of an ended response: in its trailers, or its headers for a trailers-only answer. */
  private static String code(HttpServerResponse response) {
    String status = response.trailers().get("grpc-status");
    if (status == null) {
      status = response.headers().get("grpc-status");
    }
    if (status == null) {
      return "UNKNOWN";
    }
    try {
      io.vertx.grpc.common.GrpcStatus known = io.vertx.grpc.common.GrpcStatus.valueOf(Integer.parseInt(status.trim()));
      return known == null ? "UNKNOWN" : known.name();
    } catch (RuntimeException e) {
      return "UNKNOWN";
    }
  }
}
