package io.dvr.gateway.rest;

import io.dvr.gateway.store.Revisions;

import io.dvr.common.grpc.GrpcErrors;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.Map;

/**
 * The one table from the services' gRPC statuses to Neutron's HTTP statuses, and the
 * {@code NeutronError} body ({@code type}, {@code message}, {@code detail}) every failure carries.
 * Neutron answers an exceeded quota and an exhausted pool with 409 (OverQuota,
 * IpAddressGenerationFailure); 413 is a request body over the size limit.
 */
final class NeutronErrors {
  record Mapped(int http, String type) {}

  static final Map<GrpcStatus, Mapped> TABLE = Map.ofEntries(
      Map.entry(GrpcStatus.INVALID_ARGUMENT, new Mapped(400, "HTTPBadRequest")),
      Map.entry(GrpcStatus.OUT_OF_RANGE, new Mapped(400, "HTTPBadRequest")),
      Map.entry(GrpcStatus.UNAUTHENTICATED, new Mapped(401, "NotAuthenticated")),
      Map.entry(GrpcStatus.PERMISSION_DENIED, new Mapped(403, "PolicyNotAuthorized")),
      Map.entry(GrpcStatus.NOT_FOUND, new Mapped(404, "NotFound")),
      Map.entry(GrpcStatus.ALREADY_EXISTS, new Mapped(409, "Conflict")),
      Map.entry(GrpcStatus.FAILED_PRECONDITION, new Mapped(409, "Conflict")),
      Map.entry(GrpcStatus.ABORTED, new Mapped(409, "Conflict")),
      Map.entry(GrpcStatus.RESOURCE_EXHAUSTED, new Mapped(409, "OverQuota")),
      Map.entry(GrpcStatus.UNAVAILABLE, new Mapped(503, "ServiceUnavailable")),
      Map.entry(GrpcStatus.DEADLINE_EXCEEDED, new Mapped(503, "ServiceUnavailable")),
      Map.entry(GrpcStatus.UNIMPLEMENTED, new Mapped(501, "NotImplemented")));

  private static final Mapped INTERNAL = new Mapped(500, "HTTPInternalServerError");

  private NeutronErrors() {}

  /** A failure of the REST face itself (not of a service) with its HTTP status and Neutron type. */
  static final class RestError extends RuntimeException {
    final int http;
    final String type;

    RestError(int http, String type, String message) {
      super(message, null, false, false);
      this.http = http;
      this.type = type;
    }
  }

  static RestError badRequest(String message) {
    return new RestError(400, "HTTPBadRequest", message);
  }

  static RestError notFound(String kind, String id) {
    return new RestError(404, notFoundType(kind), kind + " '" + id + "' not found");
  }

  /** Neutron's names: NetworkNotFound, PortNotFound, FloatingIPNotFound, AgentNotFound... */
  static String notFoundType(String kind) {
    return switch (kind) {
      case "floating IP" -> "FloatingIPNotFound";
      default -> Character.toUpperCase(kind.charAt(0)) + kind.substring(1).replace(" ", "") + "NotFound";
    };
  }

  static void send(HttpServerResponse response, Throwable err, String operation, String kind) {
    int http;
    String type;
    String message;
    if (err instanceof RestError re) {
      http = re.http;
      type = re.type;
      message = re.getMessage();
    } else {
      // The same translation as the gRPC face: service failures keep their status and message,
      // anything unexpected is logged there and shows as INTERNAL without internals.
      StatusException se = GrpcErrors.toStatusException(err, operation);
      Mapped mapped = TABLE.getOrDefault(se.status(), INTERNAL);
      http = mapped.http();
      type = se.status() == GrpcStatus.NOT_FOUND && kind != null ? notFoundType(kind) : mapped.type();
      message = se.message() == null ? se.status().name() : se.message();
      // A stale If-Match, found on the locked row inside the update's transaction.
      if (se.status() == GrpcStatus.FAILED_PRECONDITION && message.startsWith(Revisions.STALE)) {
        http = 412;
        type = "RevisionNumberConstraintFailed";
      }
    }
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(http).putHeader("content-type", "application/json")
        .end(body(type, message).encode());
  }

  static JsonObject body(String type, String message) {
    return new JsonObject().put("NeutronError", new JsonObject().put("type", type).put("message", message)
        .put("detail", ""));
  }
}
