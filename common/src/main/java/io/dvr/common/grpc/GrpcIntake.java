package io.dvr.common.grpc;

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
 * that takes one request message passes through {@link UnaryRequestGuard}, and every answer's
 * {@code grpc-message} is spelled as the specification says ({@link StatusMessage}).
 */
final class GrpcIntake {
  private final GrpcServer server;
  private final Map<String, UnaryMethod> unaryMethods;
  private final long maxMessageSize;

  private GrpcIntake(GrpcServer server, Map<String, UnaryMethod> unaryMethods, long maxMessageSize) {
    this.server = server;
    this.unaryMethods = unaryMethods;
    this.maxMessageSize = maxMessageSize;
  }

  /** For the services bound to {@code server}; methods whose client streams are left as they are. */
  static GrpcIntake of(GrpcServer server, List<Service> services, long maxMessageSize) {
    Map<String, UnaryMethod> unary = new HashMap<>();
    for (Service service : services) {
      ServiceDescriptor descriptor = service.descriptor();
      if (descriptor == null) {
        continue;
      }
      for (MethodDescriptor method : descriptor.getMethods()) {
        if (!method.isClientStreaming()) {
          unary.put("/" + descriptor.getFullName() + "/" + method.getName(), new UnaryMethod(method.getInputType()));
        }
      }
    }
    return new GrpcIntake(server, Map.copyOf(unary), maxMessageSize);
  }

  void handle(HttpServerRequest request) {
    CallMetadata.capture(request);
    // Only the trailers-only answer of an error carries grpc-message in headers, and every error
    // of a unary call is one: vertx-grpc writes it just before these headers leave.
    request.response().headersEndHandler(v -> StatusMessage.respell(request.response().headers()));
    UnaryMethod unary = unaryMethods.get(request.path());
    WireFormat format = unary == null ? null : http2Format(request);
    if (format != null && request instanceof HttpServerRequestInternal internal) {
      server.handle(new UnaryRequestGuard(internal, unary, format, maxMessageSize));
    } else {
      server.handle(request);
    }
  }

  /** The wire format of a gRPC over HTTP/2 request; null for gRPC-Web and anything else vertx-grpc sorts out. */
  private static WireFormat http2Format(HttpServerRequest request) {
    if (request.version() != HttpVersion.HTTP_2) {
      return null;
    }
    String type = request.getHeader("content-type");
    return switch (type == null ? "" : type) {
      case "application/grpc", "application/grpc+proto" -> WireFormat.PROTOBUF;
      case "application/grpc+json" -> WireFormat.JSON;
      default -> null;
    };
  }
}
