package io.dvr.common.grpc;

import io.micrometer.core.instrument.MeterRegistry;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.Service;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every gRPC request of an endpoint enters, on its way to vertx-grpc: a call to a method
 * that takes one request message passes through {@link UnaryRequestGuard}, one that streams its
 * requests through {@link StreamRequestGuard}, every call is counted and timed
 * ({@link GrpcServerMetrics}), and every answer's
 * {@code grpc-message} is spelled as the specification says ({@link StatusMessage}).
 */
final class GrpcIntake {
  private final GrpcServer server;
  private final Map<String, UnaryMethod> unaryMethods;
  private final Map<String, UnaryMethod> streamingMethods;
  private final long maxMessageSize;
  private final GrpcServerMetrics metrics;

  private GrpcIntake(GrpcServer server, Map<String, UnaryMethod> unaryMethods, Map<String, UnaryMethod> streamingMethods,
      long maxMessageSize, GrpcServerMetrics metrics) {
    this.server = server;
    this.metrics = metrics;
    this.unaryMethods = unaryMethods;
    this.streamingMethods = streamingMethods;
    this.maxMessageSize = maxMessageSize;
  }

  /** For the services bound to {@code server}. */
  static GrpcIntake of(GrpcServer server, List<Service> services, long maxMessageSize, MeterRegistry registry) {
    Map<String, UnaryMethod> unary = new HashMap<>();
    Map<String, UnaryMethod> streaming = new HashMap<>();
    Map<String, GrpcServerMetrics.Rpc> rpcs = new HashMap<>();
    for (Service service : services) {
      ServiceDescriptor descriptor = service.descriptor();
      if (descriptor == null) {
        continue;
      }
      for (MethodDescriptor method : descriptor.getMethods()) {
        String path = "/" + descriptor.getFullName() + "/" + method.getName();
        (method.isClientStreaming() ? streaming : unary).put(path, new UnaryMethod(method.getInputType()));
        rpcs.put(path, GrpcServerMetrics.Rpc.of(method));
      }
    }
    return new GrpcIntake(server, Map.copyOf(unary), Map.copyOf(streaming), maxMessageSize,
        new GrpcServerMetrics(registry, rpcs));
  }

  void handle(HttpServerRequest request) {
    metrics.observe(request);
    CallMetadata.capture(request);
    // Only the trailers-only answer of an error carries grpc-message in headers, and every error
    // of a unary call is one: vertx-grpc writes it just before these headers leave.
    request.response().headersEndHandler(v -> StatusMessage.respell(request.response().headers()));
    UnaryMethod unary = unaryMethods.get(request.path());
    UnaryMethod streaming = streamingMethods.get(request.path());
    WireFormat format = unary == null && streaming == null ? null : wireFormat(request);
    if (format != null && request instanceof HttpServerRequestInternal internal) {
      server.handle(unary != null
          ? new UnaryRequestGuard(internal, unary, format, maxMessageSize)
          : new StreamRequestGuard(internal, streaming, format, maxMessageSize));
    } else {
      server.handle(request);
    }
  }

  /**
   * The wire format of a gRPC request over HTTP/2, or of a binary gRPC-Web request over any HTTP
   * version (the same length-prefixed messages); null for gRPC-Web text (base64), which is left
   * to vertx-grpc, and anything else it sorts out.
   */
  private static WireFormat wireFormat(HttpServerRequest request) {
    String type = request.getHeader("content-type");
    return switch (type == null ? "" : type) {
      case "application/grpc", "application/grpc+proto" -> request.version() == HttpVersion.HTTP_2 ? WireFormat.PROTOBUF : null;
      case "application/grpc+json" -> request.version() == HttpVersion.HTTP_2 ? WireFormat.JSON : null;
      case "application/grpc-web", "application/grpc-web+proto" -> WireFormat.PROTOBUF;
      case "application/grpc-web+json" -> WireFormat.JSON;
      default -> null;
    };
  }
}
